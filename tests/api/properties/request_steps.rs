//! The steps on designation requests: file, submit, withdraw, determine, consult.

use proptest::sample::Index;
use reqwest::Method;
use serde_json::json;

use super::acts::*;
use super::answers::*;
use super::model::*;
use super::world::World;

impl World {
    /// A developer files a designation request.
    pub(super) async fn file_request(
        &mut self,
        model: Index,
        member: bool,
    ) -> Result<Option<i64>, String> {
        let m = model.index(self.models.len());
        let model_id = self.models[m].id.clone();
        // One open request per model version: a second is refused while one is open.
        let open = self.open_request_of(&model_id).await?;
        let r = self
            .call(
                Self::dev_who(member),
                Method::POST,
                &self.api("/designation-requests"),
                Some(json!({"model_id": model_id, "summary": "Is this model covered?", "capability_evidence": "Internal cyber evaluations."})),
            )
            .await?;
        let Some(open) = open else {
            let d = judge(&r, &[Exp::Done(201)], "file request")?;
            self.requests.push(r.id());
            return Ok(Some(d));
        };
        let d = judge(
            &r,
            &[Exp::Refused(409, "duplicate_request")],
            "file request",
        )?;
        if r.body["open_request_id"] != open.as_str() {
            return Err(format!(
                "file request: the 409 names {} instead of the open request {open}",
                r.body["open_request_id"]
            ));
        }
        Ok(Some(d))
    }

    /// A developer submits a request.
    pub(super) async fn submit(
        &mut self,
        request: Index,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        if self.requests.is_empty() {
            return Ok(None);
        }
        let id = self.pick_request(&request, focus, &["draft"]).await?;
        let status = self.request_status(&id).await?;
        let exp = if status == "draft" {
            Exp::Done(200)
        } else {
            Exp::Refused(409, "invalid_transition")
        };
        let r = self
            .call(
                Who::DevAdmin,
                Method::POST,
                &self.api(&format!("/designation-requests/{id}/submit")),
                None,
            )
            .await?;
        judge(&r, &[exp], "submit").map(Some)
    }

    /// A developer withdraws a request (control).
    pub(super) async fn withdraw(
        &mut self,
        request: Index,
        member: bool,
    ) -> Result<Option<i64>, String> {
        if self.requests.is_empty() {
            return Ok(None);
        }
        let ri = request.index(self.requests.len());
        self.control(Control::Withdraw {
            request: ri,
            member,
        })
        .await
        .map(Some)
    }

    /// An agency user records the determination (only NSA may).
    pub(super) async fn determine(
        &mut self,
        request: Index,
        covered: bool,
        who: Who,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        if self.requests.is_empty() {
            return Ok(None);
        }
        let id = self.pick_request(&request, focus, &OPEN_REQUEST).await?;
        let status = self.request_status(&id).await?;
        let exp: Vec<Exp> = match status.as_str() {
            "draft" => vec![Exp::Refused(404, "")],
            // A request withdrawn before it was ever submitted: see the report; either
            // "not visible" or "wrong state" keeps the invariants.
            "withdrawn" if who == Who::CisaAdmin => {
                vec![Exp::Refused(404, ""), Exp::Refused(403, "")]
            }
            "withdrawn" => vec![
                Exp::Refused(404, ""),
                Exp::Refused(409, "invalid_transition"),
            ],
            _ if who == Who::CisaAdmin => vec![Exp::Refused(403, "")],
            "submitted" | "under_review" | "info_requested" => vec![Exp::Done(200)],
            _ => vec![Exp::Refused(409, "invalid_transition")],
        };
        let r = self
            .call(
                who,
                Method::POST,
                &self.api(&format!("/designation-requests/{id}/determination")),
                Some(json!({"outcome": if covered { "covered" } else { "not_covered" }, "rationale": "Unclassified rationale.", "benchmark_ref": "BM-2026-017"})),
            )
            .await?;
        judge(&r, &exp, "determine").map(Some)
    }

    /// The CISA admin records a consultation.
    pub(super) async fn consult(
        &mut self,
        request: Index,
        position: u8,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        if self.requests.is_empty() {
            return Ok(None);
        }
        let id = self.pick_request(&request, focus, &OPEN_REQUEST).await?;
        let status = self.request_status(&id).await?;
        let exp: Vec<Exp> = match status.as_str() {
            "draft" => vec![Exp::Refused(404, "")],
            "withdrawn" => vec![
                Exp::Refused(404, ""),
                Exp::Refused(409, "invalid_transition"),
            ],
            "submitted" | "under_review" | "info_requested" => vec![Exp::Done(201)],
            _ => vec![Exp::Refused(409, "invalid_transition")],
        };
        let pos = ["concur", "non_concur", "no_comment"][position as usize % 3];
        let r = self
            .call(
                Who::CisaAdmin,
                Method::POST,
                &self.api(&format!("/designation-requests/{id}/consultations")),
                Some(json!({"agency_code": "CISA", "position": pos, "note": "Consulted."})),
            )
            .await?;
        judge(&r, &exp, "consult").map(Some)
    }

    /// The model's request that is neither determined nor withdrawn, as its developer sees it.
    pub(super) async fn open_request_of(&self, model_id: &str) -> Result<Option<String>, String> {
        let r = self
            .read(
                Who::DevAdmin,
                &self.api(&format!(
                    "/designation-requests?model_id={model_id}&limit=200"
                )),
            )
            .await?;
        Ok(r["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|i| !matches!(i["status"].as_str(), Some("determined" | "withdrawn")))
            .and_then(|i| i["id"].as_str().map(str::to_string)))
    }

    pub(super) async fn request_status(&self, id: &str) -> Result<String, String> {
        let r = self
            .read(
                Who::DevAdmin,
                &self.api(&format!("/designation-requests/{id}")),
            )
            .await?;
        Ok(r["status"].as_str().unwrap_or_default().to_string())
    }
}
