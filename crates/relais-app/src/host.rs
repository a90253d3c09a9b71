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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_user_is_recorded_once_and_acts_with_the_hosts_right() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(relais_store::testing::database_in(dir.path())).unwrap();
        let created = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap();

        // First sight: Ben becomes a user with the host's right.
        let ben = app
            .host_actor("acme", "Ben@Acme.example", "Ben", MarketplaceRight::View)
            .unwrap();
        assert_eq!(ben.company.id, created.company.id);
        assert_eq!(ben.user.email, "ben@acme.example");
        assert_eq!(ben.user.marketplace_right, MarketplaceRight::View);
        // The host raises him: stored too, and no second user.
        let ben = app
            .host_actor("acme", "ben@acme.example", "Ben", MarketplaceRight::Edit)
            .unwrap();
        assert_eq!(ben.user.marketplace_right, MarketplaceRight::Edit);
        assert_eq!(app.users(&created.company).unwrap().len(), 2);

        // Ana, once the last *edit* user, is lowered by the host: Relais
        // would refuse that for its own users, but the host's word wins.
        app.host_actor("acme", "ben@acme.example", "Ben", MarketplaceRight::None)
            .unwrap();
        let ana = app
            .host_actor("acme", "ana@acme.example", "Ana", MarketplaceRight::View)
            .unwrap();
        assert_eq!(ana.user.marketplace_right, MarketplaceRight::View);
        assert!(ana.require(MarketplaceRight::Edit).is_err());

        let unknown = app
            .host_actor("globex", "ana@acme.example", "Ana", MarketplaceRight::Edit)
            .unwrap_err();
        assert_eq!(unknown.kind(), ErrorKind::NotFound);
    }
}
