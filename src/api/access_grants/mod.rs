//! Government access grants (Sec. 3(b)(ii)): a developer admin offers a model to one or more
//! agencies for a time-boxed window under one versioned set of terms. The union of all
//! Government windows of a model never exceeds 30 days (`domain::window`). Status is derived
//! from the timestamps and the clock. The developer may end or move the window at any time.
//!
//! Layout: `mod.rs` the routes, `views` the JSON served, `common` what the handlers share,
//! then one module per kind of caller action.

use actix_web::web;

mod access_log;
mod common;
mod developer;
mod messages;
mod read;
mod roster;
mod views;

pub use access_log::*;
pub use common::*;
pub use developer::*;
pub use messages::*;
pub use read::*;
pub use roster::*;
pub use views::*;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/access-grants", web::get().to(list))
        .route("/access-grants", web::post().to(offer))
        .route("/access-grants/{id}", web::get().to(get))
        .route("/access-grants/{id}", web::patch().to(patch))
        .route("/access-grants/{id}/end", web::post().to(end))
        .route(
            "/access-grants/{id}/accept-terms",
            web::post().to(accept_terms),
        )
        .route("/access-grants/{id}/decline", web::post().to(decline))
        .route(
            "/access-grants/{id}/acknowledge",
            web::post().to(acknowledge),
        )
        .route("/access-grants/{id}/roster", web::get().to(roster))
        .route("/access-grants/{id}/roster", web::post().to(roster_add))
        .route(
            "/access-grants/{id}/roster/{user_id}",
            web::delete().to(roster_remove),
        )
        .route("/access-grants/{id}/access-log", web::get().to(log_list))
        .route("/access-grants/{id}/access-log", web::post().to(log_add))
        .route("/access-grants/{id}/messages", web::get().to(messages))
        .route("/access-grants/{id}/messages", web::post().to(post_message))
        .route("/access-log/export", web::get().to(own_log_export));
}
