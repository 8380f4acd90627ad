//! Passkeys (WebAuthn, DESIGN §7), each rule broken on both backends, with the tests' own
//! authenticator ([`SoftPasskey`]): a P-256 key that makes real attestations ("none" format) and
//! real ES256 assertion signatures, which the server verifies through webauthn-rs like a
//! browser's. Nothing here is trusted because it is a test.
//!
//! The relying party is `server.public_url`, `http://localhost:8080` in the tests (an IP address
//! cannot be an RP id); the authenticator signs for that origin unless a test says otherwise.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Duration;
use p256::ecdsa::{signature::Signer, DerSignature, SigningKey};
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

const ORIGIN: &str = "http://localhost:8080";
const RP_ID: &str = "localhost";

dual_tests!(
    a_passkey_registers_signs_in_and_steps_up,
    finishing_without_starting_is_a_clear_problem,
    a_challenge_is_answered_once,
    another_users_passkey_is_refused,
    a_wrong_origin_is_refused,
    refused_assertions_count_toward_the_lockout,
    a_held_user_may_enrol_a_passkey_and_removing_it_needs_step_up,
);

fn b64(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

fn unb64(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).unwrap()
}

/// CBOR of a byte string (major type 2).
fn cbor_bytes(b: &[u8]) -> Vec<u8> {
    let mut out = match b.len() {
        n if n < 24 => vec![0x40 | n as u8],
        n if n < 256 => vec![0x58, n as u8],
        n => vec![0x59, (n >> 8) as u8, n as u8],
    };
    out.extend_from_slice(b);
    out
}

/// CBOR of a short text string (major type 3).
fn cbor_text(s: &str) -> Vec<u8> {
    assert!(s.len() < 24);
    let mut out = vec![0x60 | s.len() as u8];
    out.extend_from_slice(s.as_bytes());
    out
}

/// A software authenticator holding one ES256 credential.
#[derive(Clone)]
pub struct SoftPasskey {
    key: SigningKey,
    cred_id: Vec<u8>,
    counter: u32,
    user_handle: Option<Vec<u8>>,
    /// The origin the authenticator's browser reports in `clientDataJSON`.
    pub origin: String,
}

impl SoftPasskey {
    pub fn new() -> Self {
        let mut cred_id = vec![0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut cred_id);
        SoftPasskey {
            key: SigningKey::random(&mut rand::rngs::OsRng),
            cred_id,
            counter: 0,
            user_handle: None,
            origin: ORIGIN.into(),
        }
    }

    fn client_data(&self, kind: &str, options: &Value) -> Vec<u8> {
        let challenge = options["publicKey"]["challenge"].as_str().unwrap();
        serde_json::to_vec(&json!({
            "type": kind,
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        }))
        .unwrap()
    }

    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let mut k = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21];
        k.extend(cbor_bytes(point.x().unwrap()));
        k.push(0x22);
        k.extend(cbor_bytes(point.y().unwrap()));
        k
    }

    /// Answers `navigator.credentials.create` for the options of `register/start`.
    pub fn create(&mut self, options: &Value) -> Value {
        self.user_handle = Some(unb64(options["publicKey"]["user"]["id"].as_str().unwrap()));
        let rp_id = options["publicKey"]["rp"]["id"].as_str().unwrap();
        let mut auth = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth.push(0x45); // user present, user verified, attested credential data
        auth.extend(self.counter.to_be_bytes());
        auth.extend([0u8; 16]); // AAGUID
        auth.extend((self.cred_id.len() as u16).to_be_bytes());
        auth.extend(&self.cred_id);
        auth.extend(self.cose_key());
        let mut att = vec![0xa3];
        att.extend(cbor_text("fmt"));
        att.extend(cbor_text("none"));
        att.extend(cbor_text("attStmt"));
        att.push(0xa0);
        att.extend(cbor_text("authData"));
        att.extend(cbor_bytes(&auth));
        json!({
            "id": b64(&self.cred_id),
            "rawId": b64(&self.cred_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&att),
                "clientDataJSON": b64(&self.client_data("webauthn.create", options)),
            },
            "extensions": {},
        })
    }

    /// Answers `navigator.credentials.get` for the options of a `…/webauthn/start`, signing
    /// with this credential whatever the options allow.
    pub fn get(&mut self, options: &Value) -> Value {
        self.counter += 1;
        let mut auth = Sha256::digest(RP_ID.as_bytes()).to_vec();
        auth.push(0x05); // user present, user verified
        auth.extend(self.counter.to_be_bytes());
        let client_data = self.client_data("webauthn.get", options);
        let mut signed = auth.clone();
        signed.extend(Sha256::digest(&client_data));
        let sig: DerSignature = self.key.sign(&signed);
        json!({
            "id": b64(&self.cred_id),
            "rawId": b64(&self.cred_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth),
                "clientDataJSON": b64(&client_data),
                "signature": b64(sig.as_bytes()),
                "userHandle": self.user_handle.as_deref().map(b64),
            },
            "extensions": {},
        })
    }
}

/// Registers a passkey on the signed-in client; answers the finish body.
pub async fn register(app: &TestApp, c: &Client, pk: &mut SoftPasskey, name: &str) -> Value {
    let o = c
        .post_empty(&app.api("/auth/mfa/webauthn/register/start"))
        .await
        .expect(200);
    assert_eq!(o.body["publicKey"]["rp"]["id"], RP_ID);
    let cred = pk.create(&o.body);
    c.post(
        &app.api("/auth/mfa/webauthn/register/finish"),
        json!({"credential": cred, "name": name}),
    )
    .await
    .expect(201)
    .body
}

async fn password_step(app: &TestApp, email: &str) -> (Client, Resp) {
    let c = app.client();
    let r = c
        .post(
            &app.api("/auth/login"),
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    (c, r)
}

/// Password, then the passkey: the signed-in client.
async fn sign_in_with(app: &TestApp, email: &str, pk: &mut SoftPasskey) -> Client {
    let (c, r) = password_step(app, email).await;
    assert_eq!(r.expect(200).body["mfa_required"], true);
    let o = c
        .post_empty(&app.api("/auth/login/webauthn/start"))
        .await
        .expect(200);
    c.post(
        &app.api("/auth/login/webauthn/finish"),
        json!({"credential": pk.get(&o.body)}),
    )
    .await
    .expect(200);
    c
}

async fn step_up_with(app: &TestApp, c: &Client, pk: &mut SoftPasskey) -> Resp {
    let o = c
        .post_empty(&app.api("/auth/step-up/webauthn/start"))
        .await
        .expect(200);
    c.post(
        &app.api("/auth/step-up/webauthn/finish"),
        json!({"credential": pk.get(&o.body)}),
    )
    .await
}

/// Lets the session's step-up lapse (15 minutes) without it going idle.
async fn lapse_step_up(app: &TestApp, clients: &[&Client]) {
    app.advance(Duration::minutes(10));
    for c in clients {
        c.get(&app.api("/auth/me")).await.expect(200);
    }
    app.advance(Duration::minutes(5) + Duration::seconds(1));
}

async fn audit_actions(app: &TestApp, c: &Client, target: &str) -> Vec<String> {
    let r = c
        .get(&app.api(&format!("/audit-events?target_id={target}&limit=200")))
        .await
        .expect(200);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

async fn a_passkey_registers_signs_in_and_steps_up(app: TestApp) {
    let dev = app.signup_developer("Acme AI", "dev@acme.example").await;
    let mut pk = SoftPasskey::new();
    let done = register(&app, &dev.client, &mut pk, "Work laptop").await;
    // The first factor: ten recovery codes, once.
    assert_eq!(done["recovery_codes"].as_array().unwrap().len(), 10);
    assert_eq!(done["passkey"]["name"], "Work laptop");
    let m = dev.get(&app.api("/auth/mfa")).await.expect(200);
    assert_eq!(m.body["enrolled"], true);
    assert_eq!(m.body["totp"], false);
    assert_eq!(m.body["recovery_codes_left"], 10);
    let list = m.body["passkeys"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "Work laptop");
    assert_eq!(list[0]["last_used_at"], Value::Null);
    // A second passkey is no first factor: no new codes.
    let mut second = SoftPasskey::new();
    let done = register(&app, &dev.client, &mut second, "").await;
    assert!(done.get("recovery_codes").is_none());
    assert_eq!(done["passkey"]["name"], "Passkey");
    // The same authenticator credential cannot be registered twice (the options exclude it,
    // and an authenticator that ignores that is refused).
    let o = dev
        .client
        .post_empty(&app.api("/auth/mfa/webauthn/register/start"))
        .await
        .expect(200);
    assert_eq!(
        o.body["publicKey"]["excludeCredentials"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    dev.post(
        &app.api("/auth/mfa/webauthn/register/finish"),
        json!({"credential": pk.create(&o.body)}),
    )
    .await
    .problem(422, "validation_failed");
    let m = dev.get(&app.api("/auth/mfa")).await.expect(200);
    assert_eq!(m.body["passkeys"].as_array().unwrap().len(), 2);

    // Sign-in asks for the factor and offers the passkey.
    let (_, r) = password_step(&app, &dev.email).await;
    assert_eq!(
        r.expect(200).body,
        json!({"mfa_required": true, "methods": ["webauthn", "recovery_code"]})
    );
    let c = sign_in_with(&app, &dev.email, &mut pk).await;
    let me = c.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(me.body["user"]["email"], "dev@acme.example");
    let m = c.get(&app.api("/auth/mfa")).await.expect(200);
    assert_eq!(m.body["stepped_up"], true);
    assert!(m.body["passkeys"][0]["last_used_at"].is_string());

    // Step-up by passkey satisfies a step-up-guarded route.
    lapse_step_up(&app, &[&c]).await;
    let token = json!({"name": "ci", "expires_in_days": 30});
    c.post(&app.api("/auth/api-tokens"), token.clone())
        .await
        .problem(401, "step_up_required");
    let r = step_up_with(&app, &c, &mut pk).await.expect(200);
    assert!(r.body["stepped_up_until"].is_string());
    c.post(&app.api("/auth/api-tokens"), token)
        .await
        .expect(201);
    let actions = audit_actions(&app, &c, &dev.id).await;
    for a in ["mfa.passkey_enrolled", "mfa.step_up", "session.created"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

async fn finishing_without_starting_is_a_clear_problem(app: TestApp) {
    let dev = app.signup_developer("Acme AI", "dev@acme.example").await;
    let mut pk = SoftPasskey::new();
    // Registration: an answer with no registration started on this session.
    let other = app.signup_developer("Other AI", "dev@other.example").await;
    let o = other
        .client
        .post_empty(&app.api("/auth/mfa/webauthn/register/start"))
        .await
        .expect(200);
    let cred = pk.clone().create(&o.body);
    dev.post(
        &app.api("/auth/mfa/webauthn/register/finish"),
        json!({"credential": cred}),
    )
    .await
    .problem(409, "mfa_state");
    register(&app, &dev.client, &mut pk, "Key").await;
    // Step-up: finish with nothing started.
    let fake = pk.get(&json!({"publicKey": {"challenge": b64(b"made up by the client")}}));
    dev.post(
        &app.api("/auth/step-up/webauthn/finish"),
        json!({"credential": fake}),
    )
    .await
    .problem(409, "mfa_state");
    // Sign-in: finish after the password but without start.
    let (c, r) = password_step(&app, &dev.email).await;
    r.expect(200);
    c.post(
        &app.api("/auth/login/webauthn/finish"),
        json!({"credential": fake}),
    )
    .await
    .problem(409, "mfa_state");
    // And with no pending sign-in at all.
    app.client()
        .post_empty(&app.api("/auth/login/webauthn/start"))
        .await
        .problem(409, "mfa_state");
    app.client()
        .post(
            &app.api("/auth/login/webauthn/finish"),
            json!({"credential": fake}),
        )
        .await
        .problem(409, "mfa_state");
    // Not a credential at all: 422 naming the field.
    let r = c
        .post(
            &app.api("/auth/login/webauthn/finish"),
            json!({"credential": {"id": 1}}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), ["credential"]);
    // A started ceremony goes stale after five minutes.
    let o = dev
        .client
        .post_empty(&app.api("/auth/step-up/webauthn/start"))
        .await
        .expect(200);
    app.advance(Duration::minutes(5));
    dev.post(
        &app.api("/auth/step-up/webauthn/finish"),
        json!({"credential": pk.get(&o.body)}),
    )
    .await
    .problem(409, "mfa_state");
}

async fn a_challenge_is_answered_once(app: TestApp) {
    let dev = app.signup_developer("Acme AI", "dev@acme.example").await;
    let mut pk = SoftPasskey::new();
    register(&app, &dev.client, &mut pk, "Key").await;
    let (c, r) = password_step(&app, &dev.email).await;
    r.expect(200);
    let o = c
        .post_empty(&app.api("/auth/login/webauthn/start"))
        .await
        .expect(200);
    let answer = pk.get(&o.body);
    // Two finishes at once with the same answer: one signs in, the other finds no ceremony.
    let url = app.api("/auth/login/webauthn/finish");
    let body = json!({"credential": answer});
    let (a, b) = futures_util::join!(c.post(&url, body.clone()), c.post(&url, body.clone()));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert!(
        statuses == [200, 409] || statuses == [200, 401],
        "{statuses:?} {} {}",
        a.text,
        b.text
    );
    // Replayed on a new sign-in: its ceremony has another challenge.
    let (c2, r) = password_step(&app, &dev.email).await;
    r.expect(200);
    c2.post(&url, body.clone()).await.problem(409, "mfa_state");
    c2.post_empty(&app.api("/auth/login/webauthn/start"))
        .await
        .expect(200);
    c2.post(&url, body).await.problem(401, "invalid_code");
    // And that refusal used the ceremony up too: the right answer now needs a new start.
    let s = sign_in_with(&app, &dev.email, &mut pk).await;
    // Step-up: an answer to one challenge does not pass the next.
    let o = s
        .post_empty(&app.api("/auth/step-up/webauthn/start"))
        .await
        .expect(200);
    let answer = json!({"credential": pk.get(&o.body)});
    s.post(&app.api("/auth/step-up/webauthn/finish"), answer.clone())
        .await
        .expect(200);
    s.post(&app.api("/auth/step-up/webauthn/finish"), answer.clone())
        .await
        .problem(409, "mfa_state");
    s.post_empty(&app.api("/auth/step-up/webauthn/start"))
        .await
        .expect(200);
    s.post(&app.api("/auth/step-up/webauthn/finish"), answer)
        .await
        .problem(401, "invalid_code");
}

async fn another_users_passkey_is_refused(app: TestApp) {
    let a = app.signup_developer("Acme AI", "dev@acme.example").await;
    let b = app.signup_developer("Other AI", "dev@other.example").await;
    let mut pa = SoftPasskey::new();
    let mut pb = SoftPasskey::new();
    register(&app, &a.client, &mut pa, "A's key").await;
    register(&app, &b.client, &mut pb, "B's key").await;
    // B's sign-in answered with A's passkey (a valid signature, another account's credential).
    let (c, r) = password_step(&app, &b.email).await;
    r.expect(200);
    let o = c
        .post_empty(&app.api("/auth/login/webauthn/start"))
        .await
        .expect(200);
    c.post(
        &app.api("/auth/login/webauthn/finish"),
        json!({"credential": pa.get(&o.body)}),
    )
    .await
    .problem(401, "invalid_code");
    c.get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    // Nor for B's step-up.
    lapse_step_up(&app, &[&a.client, &b.client]).await;
    let o = b
        .client
        .post_empty(&app.api("/auth/step-up/webauthn/start"))
        .await
        .expect(200);
    b.post(
        &app.api("/auth/step-up/webauthn/finish"),
        json!({"credential": pa.get(&o.body)}),
    )
    .await
    .problem(401, "invalid_code");
    let m = b.get(&app.api("/auth/mfa")).await.expect(200);
    assert_eq!(m.body["stepped_up"], false);
    // A's passkey id cannot be removed by B.
    let ma = a.get(&app.api("/auth/mfa")).await.expect(200);
    let a_id = ma.body["passkeys"][0]["id"].as_str().unwrap().to_string();
    step_up_with(&app, &b.client, &mut pb).await.expect(200);
    b.delete(&app.api(&format!("/auth/mfa/webauthn/{a_id}")))
        .await
        .problem(404, "not_found");
}

async fn a_wrong_origin_is_refused(app: TestApp) {
    let dev = app.signup_developer("Acme AI", "dev@acme.example").await;
    let mut pk = SoftPasskey::new();
    // Registration from a look-alike site.
    pk.origin = "http://evil.example".into();
    let o = dev
        .client
        .post_empty(&app.api("/auth/mfa/webauthn/register/start"))
        .await
        .expect(200);
    let r = dev
        .post(
            &app.api("/auth/mfa/webauthn/register/finish"),
            json!({"credential": pk.create(&o.body)}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), ["credential"]);
    let m = dev.get(&app.api("/auth/mfa")).await.expect(200);
    assert_eq!(m.body["passkeys"], json!([]));
    // Registered from the portal, then signed in through a look-alike site.
    pk.origin = ORIGIN.into();
    register(&app, &dev.client, &mut pk, "Key").await;
    pk.origin = "http://localhost:9999".into();
    let (c, r) = password_step(&app, &dev.email).await;
    r.expect(200);
    let o = c
        .post_empty(&app.api("/auth/login/webauthn/start"))
        .await
        .expect(200);
    c.post(
        &app.api("/auth/login/webauthn/finish"),
        json!({"credential": pk.get(&o.body)}),
    )
    .await
    .problem(401, "invalid_code");
}

async fn refused_assertions_count_toward_the_lockout(app: TestApp) {
    let dev = app.signup_developer("Acme AI", "dev@acme.example").await;
    let mut pk = SoftPasskey::new();
    register(&app, &dev.client, &mut pk, "Key").await;
    let mut stranger = SoftPasskey::new();
    let (c, r) = password_step(&app, &dev.email).await;
    r.expect(200);
    let mut locked = false;
    for _ in 0..12 {
        let o = c
            .post_empty(&app.api("/auth/login/webauthn/start"))
            .await
            .expect(200);
        let r = c
            .post(
                &app.api("/auth/login/webauthn/finish"),
                json!({"credential": stranger.get(&o.body)}),
            )
            .await;
        if r.status == 429 {
            locked = true;
            break;
        }
        r.problem(401, "invalid_code");
    }
    assert!(locked, "refused passkeys never locked the address out");
    // Now even the right passkey is refused, like the right code.
    let o = c
        .post_empty(&app.api("/auth/login/webauthn/start"))
        .await
        .expect(200);
    let r = c
        .post(
            &app.api("/auth/login/webauthn/finish"),
            json!({"credential": pk.get(&o.body)}),
        )
        .await
        .problem(429, "throttled");
    assert!(r.headers.get("retry-after").is_some());
}

async fn a_held_user_may_enrol_a_passkey_and_removing_it_needs_step_up(app: TestApp) {
    let op = new_operator(&app).await;
    let email = "admin@nsa.example";
    op.post(
        &app.api("/admin/organizations"),
        json!({"kind": "agency", "name": "NSA office", "agency_code": "NSA", "admin_email": email}),
    )
    .await
    .expect(201);
    let mail = app.wait_mail(email, "invited").await;
    app.accept_invitation(&mail.token().unwrap(), "First Admin")
        .await;
    let (c, r) = password_step(&app, email).await;
    r.expect(200);
    c.get(&app.api("/models"))
        .await
        .problem(403, "mfa_enrollment_required");
    // A passkey is a factor for the enrolment hold.
    let mut pk = SoftPasskey::new();
    let done = register(&app, &c, &mut pk, "YubiKey").await;
    assert_eq!(done["recovery_codes"].as_array().unwrap().len(), 10);
    c.get(&app.api("/models")).await.expect(200);
    let id = done["passkey"]["id"].as_str().unwrap().to_string();
    // Adding an authenticator app next to it is changing factors: step-up after 15 minutes.
    lapse_step_up(&app, &[&c]).await;
    c.post_empty(&app.api("/auth/mfa/totp"))
        .await
        .problem(401, "step_up_required");
    c.post_empty(&app.api("/auth/mfa/webauthn/register/start"))
        .await
        .problem(401, "step_up_required");
    // Removing it too.
    c.delete(&app.api(&format!("/auth/mfa/webauthn/{id}")))
        .await
        .problem(401, "step_up_required");
    let t = step_up_with(&app, &c, &mut pk).await.expect(200);
    assert!(t.body["stepped_up_until"].is_string());
    c.delete(&app.api(&format!("/auth/mfa/webauthn/{}", "no-such-id")))
        .await
        .problem(404, "not_found");
    c.delete(&app.api(&format!("/auth/mfa/webauthn/{id}")))
        .await
        .expect(204);
    // It was the last factor: the codes went with it and the user is held again.
    let m = c.get(&app.api("/auth/mfa")).await.expect(200);
    assert_eq!(m.body["enrolled"], false);
    assert_eq!(m.body["recovery_codes_left"], 0);
    c.get(&app.api("/models"))
        .await
        .problem(403, "mfa_enrollment_required");
}
