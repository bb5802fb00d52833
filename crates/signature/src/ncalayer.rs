//! The NCALayer signer: Kense's Rust side talks to NCALayer, the program
//! every official runs, over its TLS WebSocket on the loopback
//! (`wss://127.0.0.1:13579`), so the window's CSP stays as strict as today.
//! The head picks his key or token and types its password in NCALayer's own
//! dialog; Kense never sees either.
//!
//! The messages follow the module `kz.gov.pki.knca.basics`, method `sign`,
//! as pkigovkz/NCALayerJSExample documents it: `format: "cms"`, the data
//! base64-encoded with `decode: true`, detached (`encapsulate: false`), no
//! time stamp (`tsaProfile: null`, so no network is needed), and the
//! head's IIN and the office's BIN in `signerParams`, so NCALayer offers
//! only his keys. NCALayer greets with `{"result":{"version":…}}` and
//! answers `{"status":true,"body":{"result":[cms]}}`, or `status:false`
//! with a `code` and `details` (a cancel is `action.canceled`).
//!
//! The real NCALayer was not available to the tests; they run this client
//! against a loopback stand-in that speaks the same messages.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::X509;
use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

use crate::{SignatureError, Signer};

/// Where NCALayer listens.
pub const NCALAYER_ADDRESS: &str = "127.0.0.1:13579";

/// NCA's extended key usages: e-mail protection (signing) and, for a legal
/// entity's head, 1.2.398.3.3.4.1.2.1 (pkigovkz/KalkanCryptIssuanceTest).
pub const HEAD_KEY_USAGES: [&str; 2] = ["1.3.6.1.5.5.7.3.4", "1.2.398.3.3.4.1.2.1"];

/// A `basics.sign` call to NCALayer.
#[derive(Debug, Clone)]
pub struct NcaLayerSigner {
    /// `host:port`; [`NCALAYER_ADDRESS`] in production.
    pub address: String,
    /// Roots NCALayer's TLS certificate must chain to (NCA's RSA root in
    /// production; NCALayer installs it for browsers too).
    pub tls_roots: Vec<X509>,
    /// The head's IIN: NCALayer offers only keys issued to him.
    pub iin: String,
    /// The office's BIN, when known.
    pub bin: Option<String>,
    /// `kk` or `ru`: the language of NCALayer's dialog.
    pub locale: String,
    /// How long the head may take in NCALayer's dialog.
    pub timeout: Duration,
}

impl NcaLayerSigner {
    /// The request Kense sends for `data`.
    pub fn request(&self, data: &[u8]) -> Value {
        json!({
            "module": "kz.gov.pki.knca.basics",
            "method": "sign",
            "args": {
                "allowedStorages": ["PKCS12", "AKKaztokenStore", "AKKZIDCardStore", "AKEToken72KStore",
                                    "AKEToken5110Store", "AKJaCartaStore", "AKAKEYStore"],
                "format": "cms",
                "data": openssl::base64::encode_block(data),
                "signingParams": {
                    "decode": true,
                    "encapsulate": false,
                    "digested": false,
                    "tsaProfile": null,
                },
                "signerParams": {
                    "extKeyUsageOids": HEAD_KEY_USAGES,
                    "iin": self.iin,
                    "bin": self.bin.clone().unwrap_or_default(),
                    "chain": [],
                },
                "locale": self.locale,
            }
        })
    }

    fn connect(&self) -> Result<WebSocket<impl Read + Write>, SignatureError> {
        let fail = |m: String| SignatureError::Signer(format!("NCALayer: {m}"));
        let tcp = TcpStream::connect(&self.address).map_err(|e| fail(format!("not running? {e}")))?;
        tcp.set_read_timeout(Some(self.timeout)).map_err(|e| fail(e.to_string()))?;
        let mut tls = SslConnector::builder(SslMethod::tls_client()).map_err(|e| fail(e.to_string()))?;
        let mut store = X509StoreBuilder::new().map_err(|e| fail(e.to_string()))?;
        for r in &self.tls_roots {
            store.add_cert(r.clone()).map_err(|e| fail(e.to_string()))?;
        }
        tls.set_verify_cert_store(store.build()).map_err(|e| fail(e.to_string()))?;
        tls.set_verify(SslVerifyMode::PEER);
        let host = self.address.rsplit_once(':').map_or(self.address.as_str(), |(h, _)| h);
        let stream = tls.build().connect(host, tcp).map_err(|e| fail(format!("TLS: {e}")))?;
        let (ws, _) = tungstenite::client(format!("wss://{}/", self.address), stream)
            .map_err(|e| fail(format!("WebSocket: {e}")))?;
        Ok(ws)
    }
}

/// The next JSON message, skipping NCALayer's heartbeats.
fn next_json(ws: &mut WebSocket<impl Read + Write>) -> Result<Value, SignatureError> {
    loop {
        let msg = ws.read().map_err(|e| SignatureError::Signer(format!("NCALayer: {e}")))?;
        match msg {
            Message::Text(t) if t.trim() == "--heartbeat--" => continue,
            Message::Text(t) => {
                return serde_json::from_str(&t).map_err(|e| SignatureError::Signer(format!("NCALayer: {e}")))
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            Message::Binary(_) => return Err(SignatureError::Signer("NCALayer: unexpected binary message".into())),
            Message::Close(_) => return Err(SignatureError::Signer("NCALayer closed the connection".into())),
        }
    }
}

impl Signer for NcaLayerSigner {
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignatureError> {
        let mut ws = self.connect()?;
        // The greeting names NCALayer's version; any JSON is accepted.
        let _greeting = next_json(&mut ws)?;
        ws.send(Message::Text(self.request(data).to_string()))
            .map_err(|e| SignatureError::Signer(format!("NCALayer: {e}")))?;
        let reply = next_json(&mut ws)?;
        let _ = ws.close(None);
        if reply["status"] != json!(true) {
            let code = reply["code"].as_str().unwrap_or("?");
            let details = reply["details"].as_str().or(reply["message"].as_str()).unwrap_or("");
            return Err(SignatureError::Signer(format!("NCALayer refused ({code}): {details}")));
        }
        let cms = reply["body"]["result"]
            .get(0)
            .and_then(Value::as_str)
            .ok_or_else(|| SignatureError::BadSignature("NCALayer's reply has no body.result".into()))?;
        let clean: String = cms.chars().filter(|c| !c.is_whitespace()).collect();
        openssl::base64::decode_block(&clean).map_err(|e| SignatureError::BadSignature(format!("base64: {e}")))
    }
}
