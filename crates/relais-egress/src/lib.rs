//! Outgoing HTTP to addresses a tenant typed: a SCIM base URL today, webhook
//! endpoints later.
//!
//! A user who may configure an integration may type any URL. Called
//! unguarded, that is server-side request forgery: Relais would call its own
//! loopback services, the cloud metadata address or the private network,
//! with the connection's bearer token, and show the answer back in a run's
//! error. This crate is the one way Relais calls such addresses:
//!
//! - [`EgressPolicy::check_url`] refuses URLs whose host is a refused IP
//!   literal, in any spelling the WHATWG URL parser accepts (`0x7f000001`,
//!   `2130706433`, `[::ffff:127.0.0.1]` are all 127.0.0.1), or a `localhost`
//!   name; and URLs with user info, a query or a fragment, which would let a
//!   tenant choose the path Relais appends to.
//! - [`GuardedClient`] resolves host names itself and refuses a request when
//!   *any* resolved address is refused. Resolution happens when a
//!   connection is made, so a name that changes its answer after the URL was
//!   checked (DNS rebinding) is checked again. Redirects are not followed
//!   and proxies from the environment are not used: both would bypass the
//!   check.
//! - [`read_body`] reads at most a given number of bytes of an answer and
//!   drops the connection beyond that, so a hostile target cannot fill the
//!   server's memory.
//!
//! Refused are loopback, private, shared (carrier-grade NAT), link-local
//! (with the cloud metadata address 169.254.169.254), unspecified,
//! multicast, broadcast, documentation, benchmarking and reserved ranges,
//! in IPv4 and IPv6, including IPv4 addresses inside IPv6 (mapped, NAT64,
//! 6to4). The operator may allow networks with [`EgressPolicy::parse`]
//! (`RELAIS_EGRESS_ALLOW=10.20.0.0/16`, or `127.0.0.1/32` in tests).
//!
//! It deliberately knows no protocol, retries nothing and logs no body.
//!
//! Depends on no other Relais crate; its I/O is DNS and HTTP, through
//! `reqwest` (rustls) on tokio.
//!
//! # Example
//!
//! ```rust
//! use relais_egress::EgressPolicy;
//!
//! # fn main() -> Result<(), relais_egress::EgressError> {
//! let policy = EgressPolicy::public_only();
//! assert!(policy.check_url("https://idp.example.com/scim/v2").is_ok());
//! // 127.0.0.1, spelt as the URL parser also accepts it.
//! assert!(policy.check_url("http://0x7f000001/scim/v2").is_err());
//!
//! // Tests allow their own loopback server.
//! let tests = EgressPolicy::parse("127.0.0.1/32")?;
//! assert!(tests.check_url("http://127.0.0.1:8080/scim/v2").is_ok());
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// Why an outgoing request was refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    /// The URL is not one Relais calls.
    #[error("{0}")]
    BadUrl(String),
    /// The host is, or resolves to, an address Relais does not call.
    #[error(
        "{host} resolves to {address}, a {kind} address, which Relais does not call (the operator may allow it with RELAIS_EGRESS_ALLOW)"
    )]
    NotAllowed {
        /// The host as written in the URL.
        host: String,
        /// The refused address.
        address: IpAddr,
        /// What kind of address it is: loopback, private, link-local, …
        kind: &'static str,
    },
    /// The host name does not resolve.
    #[error("{host} does not resolve: {reason}")]
    Unresolved {
        /// The host.
        host: String,
        /// The resolver's words.
        reason: String,
    },
    /// The answer is longer than the caller accepts.
    #[error("the answer is larger than {limit} bytes; it was not read further")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// An operator setting is malformed.
    #[error("RELAIS_EGRESS_ALLOW: {0}")]
    BadSetting(String),
    /// The HTTP client failed (connection, time-out, TLS).
    #[error("{0}")]
    Http(String),
}

/// Networks Relais does not call, with what they are.
const REFUSED_V4: &[(Ipv4Net, &str)] = &[
    (net4(0, 0, 0, 0, 8), "unspecified (\"this network\")"),
    (net4(10, 0, 0, 0, 8), "private"),
    (net4(100, 64, 0, 0, 10), "shared (carrier-grade NAT)"),
    (net4(127, 0, 0, 0, 8), "loopback"),
    (net4(169, 254, 0, 0, 16), "link-local (cloud metadata)"),
    (net4(172, 16, 0, 0, 12), "private"),
    (net4(192, 0, 0, 0, 24), "IETF protocol assignment"),
    (net4(192, 0, 2, 0, 24), "documentation"),
    (net4(192, 88, 99, 0, 24), "6to4 relay anycast"),
    (net4(192, 168, 0, 0, 16), "private"),
    (net4(198, 18, 0, 0, 15), "benchmarking"),
    (net4(198, 51, 100, 0, 24), "documentation"),
    (net4(203, 0, 113, 0, 24), "documentation"),
    (net4(224, 0, 0, 0, 4), "multicast"),
    (net4(240, 0, 0, 0, 4), "reserved or broadcast"),
];

const REFUSED_V6: &[(Ipv6Net, &str)] = &[
    (net6([0, 0, 0, 0, 0, 0, 0, 0], 128), "unspecified"),
    (net6([0, 0, 0, 0, 0, 0, 0, 1], 128), "loopback"),
    (
        net6([0, 0, 0, 0, 0, 0, 0, 0], 96),
        "IPv4-compatible (deprecated)",
    ),
    (
        net6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48),
        "local-use NAT64",
    ),
    (net6([0x100, 0, 0, 0, 0, 0, 0, 0], 64), "discard-only"),
    (net6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32), "Teredo"),
    (net6([0x2001, 0x2, 0, 0, 0, 0, 0, 0], 48), "benchmarking"),
    (net6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), "documentation"),
    (net6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), "documentation"),
    (
        net6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
        "private (unique local)",
    ),
    (net6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), "link-local"),
    (
        net6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10),
        "site-local (deprecated)",
    ),
    (net6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), "multicast"),
];

const fn net4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), prefix)
}

const fn net6(s: [u16; 8], prefix: u8) -> Ipv6Net {
    Ipv6Net::new_assert(
        Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]),
        prefix,
    )
}

/// What kind of refused address `ip` is, or `None` for a public address.
///
/// IPv4 addresses carried inside IPv6 (`::ffff:a.b.c.d`, NAT64
/// `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`) are judged as the IPv4
/// address they carry.
#[must_use]
pub fn refused_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return refused_v4(v4);
            }
            REFUSED_V6
                .iter()
                .find(|(net, _)| net.contains(&v6))
                .map(|(_, kind)| *kind)
        }
    }
}

fn refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    REFUSED_V4
        .iter()
        .find(|(net, _)| net.contains(&ip))
        .map(|(_, kind)| *kind)
}

/// The IPv4 address an IPv6 address carries, for the forms that route to it.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = ip.segments();
    let from = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    match s {
        // NAT64, RFC 6052.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(from(hi, lo)),
        // 6to4, RFC 3056.
        [0x2002, hi, lo, ..] => Some(from(hi, lo)),
        _ => None,
    }
}

/// Which addresses Relais may call: every public address, and the networks
/// the operator allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EgressPolicy {
    allowed: Vec<IpNet>,
}

impl EgressPolicy {
    /// Public addresses only: the default.
    #[must_use]
    pub fn public_only() -> Self {
        Self::default()
    }

    /// Public addresses and these networks.
    #[must_use]
    pub fn allowing(networks: Vec<IpNet>) -> Self {
        Self { allowed: networks }
    }

    /// Reads the operator's setting: networks (`10.0.0.0/8`) or addresses
    /// (`127.0.0.1`), separated by commas or white space; empty allows none.
    ///
    /// # Errors
    /// [`EgressError::BadSetting`] naming the first entry that is neither.
    pub fn parse(setting: &str) -> Result<Self, EgressError> {
        let allowed = setting
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        EgressError::BadSetting(format!(
                            "'{s}' is neither a network (10.0.0.0/8) nor an address (127.0.0.1)"
                        ))
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { allowed })
    }

    /// The networks the operator allows beyond public addresses.
    #[must_use]
    pub fn allowed(&self) -> &[IpNet] {
        &self.allowed
    }

    /// Succeeds when Relais may call `address` for `host`.
    ///
    /// # Errors
    /// [`EgressError::NotAllowed`] naming the host, the address and its kind.
    pub fn check_address(&self, host: &str, address: IpAddr) -> Result<(), EgressError> {
        let canonical = match address {
            IpAddr::V6(v6) => embedded_v4(v6).map_or(address, IpAddr::V4),
            IpAddr::V4(_) => address,
        };
        if self
            .allowed
            .iter()
            .any(|net| net.contains(&address) || net.contains(&canonical))
        {
            return Ok(());
        }
        match refused_kind(address) {
            Some(kind) => Err(EgressError::NotAllowed {
                host: host.to_owned(),
                address,
                kind,
            }),
            None => Ok(()),
        }
    }

    /// Checks a URL a tenant typed as the base of an API Relais will call:
    /// http or https, a host, no user info, query or fragment, and a host
    /// that is not a refused address or a `localhost` name. Names are
    /// resolved only when a request is made (see [`GuardedClient`]).
    ///
    /// # Errors
    /// [`EgressError::BadUrl`] or [`EgressError::NotAllowed`] saying what is wrong.
    pub fn check_url(&self, text: &str) -> Result<url::Url, EgressError> {
        let bad = |why: &str| EgressError::BadUrl(format!("'{}' {why}", shorten(text)));
        let url = url::Url::parse(text.trim()).map_err(|e| bad(&format!("is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("must start with https:// (or http://)"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "must not carry a user name or password; the token goes in its own field",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad(
                "must not have a query (?…) or fragment (#…): Relais appends the API paths to it",
            ));
        }
        self.check_host(&url)?;
        Ok(url)
    }

    /// Refuses a URL whose host is a refused IP literal or a `localhost` name.
    fn check_host(&self, url: &url::Url) -> Result<(), EgressError> {
        match url.host() {
            None => Err(EgressError::BadUrl(format!(
                "'{}' has no host",
                shorten(url.as_str())
            ))),
            Some(url::Host::Ipv4(ip)) => self.check_address(&ip.to_string(), IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check_address(&ip.to_string(), IpAddr::V6(ip)),
            Some(url::Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                // RFC 6761: localhost and its subdomains are loopback by definition.
                if name == "localhost" || name.ends_with(".localhost") {
                    self.check_address(&name, IpAddr::V4(Ipv4Addr::LOCALHOST))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// An HTTP client whose every connection goes through this policy.
    ///
    /// # Errors
    /// [`EgressError::Http`] when the client cannot be built (TLS set-up).
    pub fn client(&self, timeout: Duration) -> Result<GuardedClient, EgressError> {
        let policy = Arc::new(self.clone());
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                policy: Arc::clone(&policy),
            }))
            .build()
            .map_err(|e| EgressError::Http(e.to_string()))?;
        Ok(GuardedClient { http, policy })
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 200;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// Resolves names with the system resolver and refuses the connection when
/// any answer is an address the policy refuses.
#[derive(Debug)]
struct GuardedResolver {
    policy: Arc<EgressPolicy>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| EgressError::Unresolved {
                    host: host.clone(),
                    reason: e.to_string(),
                })?
                .collect();
            if addresses.is_empty() {
                return Err(EgressError::Unresolved {
                    host,
                    reason: "no address".into(),
                }
                .into());
            }
            // Every answer must pass: a name answering one public and one
            // private address would otherwise reach the private one.
            for address in &addresses {
                policy.check_address(&host, address.ip())?;
            }
            let addrs: reqwest::dns::Addrs = Box::new(addresses.into_iter());
            Ok(addrs)
        })
    }
}

/// An HTTP client for addresses a tenant typed: refused addresses are never
/// connected to, redirects never followed.
#[derive(Debug, Clone)]
pub struct GuardedClient {
    http: reqwest::Client,
    policy: Arc<EgressPolicy>,
}

impl GuardedClient {
    /// A request to `url`, after checking its host (an IP literal is not
    /// resolved, so it is checked here; names are checked when resolved).
    ///
    /// # Errors
    /// [`EgressError`] when the URL is malformed or its host refused.
    pub fn request(
        &self,
        method: reqwest::Method,
        url: &str,
    ) -> Result<reqwest::RequestBuilder, EgressError> {
        let parsed = url::Url::parse(url)
            .map_err(|e| EgressError::BadUrl(format!("'{}' is not a URL: {e}", shorten(url))))?;
        self.policy.check_host(&parsed)?;
        Ok(self.http.request(method, parsed))
    }

    /// Sends a request built by [`GuardedClient::request`]; a refusal by
    /// the resolver comes back as the [`EgressError`] it is.
    ///
    /// # Errors
    /// [`EgressError`]: refused, unresolved, or the HTTP failure in words
    /// (without the URL, which may be long).
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, EgressError> {
        request.send().await.map_err(|e| from_reqwest(&e))
    }
}

/// Our own error inside a reqwest error's sources, or the error in words.
fn from_reqwest(error: &reqwest::Error) -> EgressError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(ours) = e.downcast_ref::<EgressError>() {
            return ours.clone();
        }
        source = e.source();
    }
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let mut words = format!("the request {kind}");
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        words.push_str(": ");
        words.push_str(&e.to_string());
        source = e.source();
    }
    EgressError::Http(words)
}

/// Reads at most `limit` bytes of an answer's body. A longer answer (by its
/// `Content-Length`, or as it streams) is not read further: the connection
/// is dropped and [`EgressError::TooLarge`] returned.
///
/// # Errors
/// [`EgressError::TooLarge`], or [`EgressError::Http`] when the body breaks off.
pub async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, EgressError> {
    if response
        .content_length()
        .is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX))
    {
        return Err(EgressError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| from_reqwest(&e))? {
        if body.len() + chunk.len() > limit {
            return Err(EgressError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    fn refused(url: &str) -> EgressError {
        EgressPolicy::public_only().check_url(url).unwrap_err()
    }

    #[test]
    fn every_spelling_of_loopback_is_refused() {
        for url in [
            "http://127.0.0.1:8080/scim",
            "http://127.1/",
            "http://0x7f000001:9000/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://localhost:8080/",
            "http://LOCALHOST./",
            "http://api.localhost/",
        ] {
            assert!(
                matches!(
                    refused(url),
                    EgressError::NotAllowed {
                        kind: "loopback",
                        ..
                    }
                ),
                "{url}: {:?}",
                refused(url)
            );
        }
    }

    #[test]
    fn metadata_private_and_other_special_addresses_are_refused() {
        for (url, kind) in [
            (
                "http://169.254.169.254/latest/meta-data",
                "link-local (cloud metadata)",
            ),
            ("http://10.1.2.3/", "private"),
            ("http://172.31.255.255/", "private"),
            ("http://192.168.1.1/", "private"),
            ("http://100.100.100.200/", "shared (carrier-grade NAT)"),
            ("http://0.0.0.0:8080/", "unspecified (\"this network\")"),
            ("http://[::]:8080/", "unspecified"),
            ("http://[fd00::1]/", "private (unique local)"),
            ("http://[fe80::1]/", "link-local"),
            (
                "http://[64:ff9b::a9fe:a9fe]/",
                "link-local (cloud metadata)",
            ),
            ("http://[2002:c0a8:0101::1]/", "private"),
            ("http://255.255.255.255/", "reserved or broadcast"),
            ("http://224.0.0.1/", "multicast"),
        ] {
            match refused(url) {
                EgressError::NotAllowed { kind: k, .. } => assert_eq!(k, kind, "{url}"),
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[test]
    fn urls_that_let_a_tenant_choose_the_path_or_smuggle_credentials_are_refused() {
        for url in [
            "https://idp.example.com/scim/v2?x=",
            "https://idp.example.com/scim/v2#frag",
            "https://user:pw@idp.example.com/scim/v2",
            "ftp://idp.example.com/",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(
                matches!(refused(url), EgressError::BadUrl(_)),
                "{url}: {:?}",
                refused(url)
            );
        }
        let ok = EgressPolicy::public_only()
            .check_url("https://idp.example.com/scim/v2")
            .unwrap();
        assert_eq!(ok.host_str(), Some("idp.example.com"));
        EgressPolicy::public_only()
            .check_url("https://93.184.215.14/scim")
            .unwrap();
    }

    #[test]
    fn the_operator_may_allow_networks() {
        let policy = EgressPolicy::parse("127.0.0.1/32, 10.20.0.0/16 ::1").unwrap();
        policy.check_url("http://127.0.0.1:9000/v2").unwrap();
        policy
            .check_url("http://[::ffff:127.0.0.1]:9000/v2")
            .unwrap();
        policy.check_url("http://10.20.3.4/").unwrap();
        policy.check_url("http://[::1]/").unwrap();
        assert!(policy.check_url("http://127.0.0.2/").is_err());
        assert!(policy.check_url("http://10.21.0.1/").is_err());
        assert!(EgressPolicy::parse("").unwrap().allowed().is_empty());
        assert!(matches!(
            EgressPolicy::parse("127.0.0.1/33"),
            Err(EgressError::BadSetting(_))
        ));
        assert!(matches!(
            EgressPolicy::parse("localhost"),
            Err(EgressError::BadSetting(_))
        ));
    }

    proptest! {
        #[test]
        fn an_ipv4_address_inside_ipv6_is_judged_as_itself(a: u8, b: u8, c: u8, d: u8) {
            let v4 = Ipv4Addr::new(a, b, c, d);
            let expected = refused_kind(IpAddr::V4(v4));
            prop_assert_eq!(refused_kind(IpAddr::V6(v4.to_ipv6_mapped())), expected);
            let [hi, lo] = [u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d])];
            prop_assert_eq!(refused_kind(IpAddr::V6(Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, hi, lo))), expected);
            prop_assert_eq!(refused_kind(IpAddr::V6(Ipv6Addr::new(0x2002, hi, lo, 0, 0, 0, 0, 1))), expected);
        }

        #[test]
        fn a_refused_address_is_refused_in_every_url_spelling(n: u32) {
            let ip = Ipv4Addr::from(n);
            let policy = EgressPolicy::public_only();
            let verdicts = [
                policy.check_url(&format!("http://{ip}/")).is_ok(),
                policy.check_url(&format!("http://{n}/")).is_ok(),
                policy.check_url(&format!("http://{n:#x}/")).is_ok(),
                policy.check_url(&format!("http://[::ffff:{ip}]/")).is_ok(),
            ];
            let public = refused_kind(IpAddr::V4(ip)).is_none();
            prop_assert_eq!(verdicts, [public; 4]);
        }
    }

    /// A listener that answers every connection with `answer` and counts them.
    async fn target(
        answer: &'static [u8],
        endless: bool,
    ) -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut buffer = [0u8; 4096];
                    let _ = socket.read(&mut buffer).await;
                    let _ = socket.write_all(answer).await;
                    // A body that never ends, for the size limit.
                    if endless {
                        let chunk = vec![b'x'; 64 * 1024];
                        while socket.write_all(&chunk).await.is_ok() {}
                    }
                });
            }
        });
        (address, seen)
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_before_any_connection() {
        let (address, seen) =
            target(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", false).await;
        let client = EgressPolicy::public_only()
            .client(Duration::from_secs(5))
            .unwrap();
        // `check_url` lets names through; the resolver catches them.
        let url = format!("http://localhost:{}/", address.port());
        let request = client.http.get(&url);
        let err = client.send(request).await.unwrap_err();
        assert!(
            matches!(
                err,
                EgressError::NotAllowed {
                    kind: "loopback",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = client
            .request(reqwest::Method::GET, &format!("http://{address}/"))
            .unwrap_err();
        assert!(matches!(err, EgressError::NotAllowed { .. }), "{err:?}");
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn an_allowed_target_is_called_and_redirects_are_not_followed() {
        let (address, seen) = target(
            b"HTTP/1.1 302 Found\r\nlocation: http://169.254.169.254/\r\ncontent-length: 0\r\n\r\n",
            false,
        )
        .await;
        let client = EgressPolicy::parse("127.0.0.1")
            .unwrap()
            .client(Duration::from_secs(5))
            .unwrap();
        let request = client
            .request(reqwest::Method::GET, &format!("http://{address}/"))
            .unwrap();
        let response = client.send(request).await.unwrap();
        assert_eq!(response.status(), 302);
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_endless_answer_is_cut_at_the_limit() {
        let (address, _) = target(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n",
            true,
        )
        .await;
        let client = EgressPolicy::parse("127.0.0.1")
            .unwrap()
            .client(Duration::from_secs(5))
            .unwrap();
        let request = client
            .request(reqwest::Method::GET, &format!("http://{address}/"))
            .unwrap();
        let response = client.send(request).await.unwrap();
        let err = read_body(response, 1024 * 1024).await.unwrap_err();
        assert_eq!(err, EgressError::TooLarge { limit: 1024 * 1024 });
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_unread() {
        let (address, _) = target(
            b"HTTP/1.1 200 OK\r\ncontent-length: 900000000\r\n\r\nxx",
            false,
        )
        .await;
        let client = EgressPolicy::parse("127.0.0.1")
            .unwrap()
            .client(Duration::from_secs(5))
            .unwrap();
        let request = client
            .request(reqwest::Method::GET, &format!("http://{address}/"))
            .unwrap();
        let response = client.send(request).await.unwrap();
        assert_eq!(
            read_body(response, 100).await.unwrap_err(),
            EgressError::TooLarge { limit: 100 }
        );
    }
}
