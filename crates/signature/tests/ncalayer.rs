//! Kense's NCALayer client end to end against a loopback **stand-in** for
//! NCALayer (the real program and real NCA keys were not available to the
//! tests). The stand-in speaks NCALayer's documented protocol — TLS
//! WebSocket, the greeting, heartbeats, `kz.gov.pki.knca.basics` `sign`
//! with `format: cms` and its reply shape — checks every message Kense
//! sends against that shape, and answers with a CMS made by the test PKI's
//! key, the way NCALayer answers with the head's.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::Duration;

use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod};
use openssl::x509::X509;
use serde_json::{json, Value};
use tungstenite::Message;
use zeroize::Zeroizing;

use kense_signature::{
    sign_pdf, verify, Chain, Expected, NcaLayerSigner, Pkcs12Signer, SignatureError, SignatureFields, Signer, Status,
    Trust,
};

fn pki() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("test-pki");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/test-pki");
        let out = Command::new(script).arg(&dir).output().expect("scripts/test-pki runs");
        assert!(out.status.success(), "test-pki: {}", String::from_utf8_lossy(&out.stderr));
        dir
    })
}

fn root() -> X509 {
    X509::from_pem(&std::fs::read(pki().join("ca.pem")).expect("root")).expect("root")
}

/// How the stand-in answers a `sign`.
enum Answer {
    /// With a CMS by the test head's key.
    Sign,
    /// As NCALayer does when the head closes its dialog.
    Cancel,
}

/// Serves one connection on a loopback port; returns the address and a
/// receiver of the request Kense sent.
fn stand_in(answer: Answer) -> (String, mpsc::Receiver<Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("loopback port");
    let address = listener.local_addr().expect("address").to_string();
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).expect("acceptor");
    acceptor.set_private_key_file(pki().join("ncalayer.key"), SslFiletype::PEM).expect("key");
    acceptor.set_certificate_chain_file(pki().join("ncalayer.pem")).expect("cert");
    let acceptor = acceptor.build();
    let key = std::fs::read(pki().join("head.p12")).expect("key file");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((tcp, _)) = listener.accept() else { return };
        let Ok(tls) = acceptor.accept(tcp) else { return };
        let Ok(mut ws) = tungstenite::accept(tls) else { return };
        let _ = ws.send(Message::Text(json!({"result": {"version": "1.4"}}).to_string()));
        let _ = ws.send(Message::Text("--heartbeat--".into()));
        let Ok(Message::Text(text)) = ws.read() else { return };
        let request: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let reply = match answer {
            Answer::Cancel => json!({"status": false, "code": "500", "details": "action.canceled"}),
            Answer::Sign => {
                let data = request["args"]["data"].as_str().and_then(|d| openssl::base64::decode_block(d).ok());
                let signer = Pkcs12Signer::open(&key, Zeroizing::new("kense-test-1".into())).expect("test key");
                match data.map(|d| signer.sign(&d)) {
                    Some(Ok(cms)) => json!({"status": true, "body": {"result": [openssl::base64::encode_block(&cms)]}}),
                    _ => json!({"status": false, "code": "500", "details": "bad request"}),
                }
            }
        };
        let _ = tx.send(request);
        let _ = ws.send(Message::Text(reply.to_string()));
        let _ = ws.close(None);
        // Drain until Kense closes.
        while ws.read().is_ok() {}
    });
    (address, rx)
}

fn client(address: String, tls_roots: Vec<X509>) -> NcaLayerSigner {
    NcaLayerSigner {
        address,
        tls_roots,
        iin: "780415300126".into(),
        bin: Some("123456789013".into()),
        locale: "kk".into(),
        timeout: Duration::from_secs(20),
    }
}

fn base_pdf() -> Vec<u8> {
    // Any PDF lopdf reads will do here; the Kense-made one is signed in
    // sign_verify.rs.
    use lopdf::{Dictionary, Object};
    let dict = |pairs: Vec<(&str, Object)>| {
        let mut d = Dictionary::new();
        for (k, v) in pairs {
            d.set(k, v);
        }
        d
    };
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(lopdf::Stream::new(Dictionary::new(), b"0 0 m 10 10 l S".to_vec()));
    let page_id = doc.add_object(dict(vec![
        ("Type", Object::Name(b"Page".to_vec())),
        ("Parent", Object::Reference(pages_id)),
        ("Contents", Object::Reference(content_id)),
        ("MediaBox", Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()])),
    ]));
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dict(vec![
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Kids", Object::Array(vec![Object::Reference(page_id)])),
            ("Count", Object::Integer(1)),
        ])),
    );
    let catalog_id =
        doc.add_object(dict(vec![("Type", Object::Name(b"Catalog".to_vec())), ("Pages", Object::Reference(pages_id))]));
    doc.trailer.set("Root", Object::Reference(catalog_id));
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("saves");
    out
}

fn fields() -> SignatureFields {
    let office = chrono::FixedOffset::east_opt(5 * 3600).expect("UTC+5");
    SignatureFields {
        name: None,
        reason: Some("А-2026-00031".into()),
        location: None,
        signed_at: chrono::Utc::now().with_timezone(&office),
    }
}

#[test]
fn kense_signs_through_the_stand_in_and_the_file_verifies() {
    let (address, requests) = stand_in(Answer::Sign);
    let signer = client(address, vec![root()]);
    let expected = Expected { iin: "780415300126".into(), bin: Some("123456789013".into()) };
    let signed = sign_pdf(&base_pdf(), &fields(), &signer, &expected).expect("signed through the stand-in");
    let v = verify(&signed.pdf, &Trust::roots(&[root()])).expect("found");
    assert_eq!(v.status(), Status::Valid, "{v:?}");
    assert_eq!(v.chain, Chain::Trusted);
    assert_eq!(signed.signer.iin.as_deref(), Some("780415300126"));

    // The message Kense sent has the documented shape of basics.sign.
    let r = requests.recv_timeout(Duration::from_secs(5)).expect("a request");
    assert_eq!(r["module"], "kz.gov.pki.knca.basics");
    assert_eq!(r["method"], "sign");
    let args = &r["args"];
    assert_eq!(args["format"], "cms");
    assert!(args["allowedStorages"].as_array().is_some_and(|s| s.contains(&json!("PKCS12"))));
    assert_eq!(
        args["signingParams"],
        json!({"decode": true, "encapsulate": false, "digested": false, "tsaProfile": null})
    );
    assert_eq!(args["signerParams"]["iin"], "780415300126");
    assert_eq!(args["signerParams"]["bin"], "123456789013");
    assert_eq!(args["signerParams"]["extKeyUsageOids"], json!(["1.3.6.1.5.5.7.3.4", "1.2.398.3.3.4.1.2.1"]));
    assert_eq!(args["signerParams"]["chain"], json!([]));
    assert_eq!(args["locale"], "kk");
    // The data is the bytes the signature covers, not a hash of them.
    let data = openssl::base64::decode_block(args["data"].as_str().expect("data")).expect("base64");
    assert_eq!(data.len(), v.signed_len);
}

#[test]
fn a_cancel_in_ncalayer_is_an_error_and_nothing_is_signed() {
    let (address, _requests) = stand_in(Answer::Cancel);
    let signer = client(address, vec![root()]);
    let err = signer.sign(b"data").expect_err("cancelled");
    assert!(matches!(&err, SignatureError::Signer(m) if m.contains("action.canceled")), "{err:?}");
    assert!(err.kk().contains("қол қойылмады"));
}

#[test]
fn a_listener_without_ncalayers_certificate_is_not_trusted() {
    let (address, _requests) = stand_in(Answer::Sign);
    // No roots: the stand-in's certificate (like any impostor's) fails.
    let signer = client(address, Vec::new());
    let err = signer.sign(b"data").expect_err("refused");
    assert!(matches!(&err, SignatureError::Signer(m) if m.contains("TLS")), "{err:?}");
}

#[test]
fn nothing_listening_is_a_clear_error() {
    let port = TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let signer = client(format!("127.0.0.1:{port}"), vec![root()]);
    let err = signer.sign(b"data").expect_err("nothing there");
    assert!(matches!(&err, SignatureError::Signer(m) if m.contains("not running")), "{err:?}");
}
