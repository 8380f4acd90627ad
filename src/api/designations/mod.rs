//! Designation review (Sec. 3(a), 3(b)(i)): a developer chooses to ask whether a model is a
//! "covered frontier model"; reviewers assign, ask for information and record consultations;
//! only an NSA reviewer records the determination. The developer may withdraw at any time and
//! a determination changes nothing the developer may do.
//!
//! Layout: `mod.rs` the routes, `views` the JSON served, `common` what the handlers share,
//! then one module per kind of caller action.

use actix_web::web;

mod common;
mod developer;
mod messages;
mod read;
mod review;
mod views;

pub use developer::*;
pub use messages::*;
pub use read::*;
pub use review::*;
pub use views::*;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/designation-requests", web::get().to(list))
        .route("/designation-requests", web::post().to(create))
        .route("/designation-requests/{id}", web::get().to(get))
        .route("/designation-requests/{id}", web::patch().to(edit))
        .route("/designation-requests/{id}/submit", web::post().to(submit))
        .route(
            "/designation-requests/{id}/withdraw",
            web::post().to(withdraw_request),
        )
        .route("/designation-requests/{id}/assign", web::post().to(assign))
        .route(
            "/designation-requests/{id}/request-info",
            web::post().to(request_info),
        )
        .route(
            "/designation-requests/{id}/respond",
            web::post().to(respond),
        )
        .route(
            "/designation-requests/{id}/consultations",
            web::post().to(consult),
        )
        .route(
            "/designation-requests/{id}/determination",
            web::post().to(determine),
        )
        .route(
            "/designation-requests/{id}/messages",
            web::get().to(list_messages),
        )
        .route(
            "/designation-requests/{id}/messages",
            web::post().to(post_message),
        );
}
