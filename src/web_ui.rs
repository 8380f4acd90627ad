//! Serves the built web frontend (`server.static_dir`, normally `frontend/dist`) at `/`:
//! hashed assets under `/assets/` are cached forever (see `telemetry::common_headers`), every
//! other path that is not a file answers `index.html` so the single-page app can route it.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::web;

use crate::error::problem_response;

pub fn configure(cfg: &mut web::ServiceConfig, static_dir: &Path) {
    let index = static_dir.join("index.html");
    if index.is_file() {
        let index: PathBuf = index;
        cfg.service(
            Files::new("/", static_dir)
                .index_file("index.html")
                .default_handler(fn_service(move |req: ServiceRequest| {
                    let index = index.clone();
                    async move {
                        let (req, _) = req.into_parts();
                        let file = NamedFile::open_async(&index).await?;
                        let res = file.into_response(&req);
                        Ok(ServiceResponse::new(req, res))
                    }
                })),
        );
    } else {
        cfg.default_service(web::to(|| async {
            problem_response(
                StatusCode::NOT_FOUND,
                crate::error::ProblemCode::NotFound,
                "Not found. (The web frontend is not built: run `make run`, or see /api/docs for the API.)",
                &[],
                &Default::default(),
            )
        }));
    }
}
