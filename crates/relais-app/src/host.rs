//! A host service's sign-in: when Relais is embedded, the host says who is
//! signed in and which right they hold, instead of Relais's tokens.

use relais_access::MarketplaceRight;

use crate::{Actor, App, AppError, ErrorKind};

impl App {
    /// The actor for a person the host service has signed in: `email` in
    /// the company `company` (its id or handle), holding `right` on
    /// "Marketplace integrations & API" as the host's own roles say.
    ///
    /// The user is created on first sight (audit events and alerts need
    /// one) and their stored right brought in line with `right`; when the
    /// store refuses the change (the company's last *edit* user), the
    /// actor still acts with `right`, the host's word.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown company, [`ErrorKind::Invalid`]
    /// for a bad e-mail or name, [`AppError`] when the database fails.
    pub fn host_actor(
        &self,
        company: &str,
        email: &str,
        name: &str,
        right: MarketplaceRight,
    ) -> Result<Actor, AppError> {
        let company = self.company(Some(company))?;
        let mut user = match self.user(&company, email) {
            Ok(user) => user,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                match self.add_user(&company, email, name, right) {
                    Ok(user) => user,
                    // Created by a request of the same person in between.
                    Err(e) if e.kind() == ErrorKind::Conflict => self.user(&company, email)?,
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        if user.marketplace_right != right {
            match self.set_right(&company, email, right) {
                Ok(changed) => user = changed,
                Err(e) if e.kind() == ErrorKind::Conflict => user.marketplace_right = right,
                Err(e) => return Err(e),
            }
        }
        Ok(Actor { user, company })
    }
}
