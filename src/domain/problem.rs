//! The `code` of every problem answer (DESIGN §3). The strings are the API's contract: clients
//! branch on them, so each is spelled once here and nowhere else. Domain errors name theirs
//! (`WindowError::code`, `NominationError::code`, `OutsideWindow::code`), and the HTTP error type
//! puts it in the problem document.

domain_string_enum! {
    /// A stable, machine-readable reason for an error answer.
    pub enum ProblemCode {
        /// 400: the request could not be read (bad JSON, query string or path).
        MalformedRequest = "malformed_request",
        /// 401: no valid session or token.
        Unauthenticated = "unauthenticated",
        /// 403: signed in, but not allowed.
        Forbidden = "forbidden",
        /// 403: a session-cookie request without `X-Requested-With: fetch`.
        CsrfHeaderMissing = "csrf_header_missing",
        /// 403: signing in before the email address was confirmed.
        EmailNotVerified = "email_not_verified",
        /// 403: the caller's organization was deactivated by the portal's operators: nobody in it
        /// signs in or uses an API token until it is reactivated.
        OrganizationDeactivated = "organization_deactivated",
        /// 403: the caller is not on the grant's roster.
        NotRostered = "not_rostered",
        /// 401: the action needs a second factor used in the last 15 minutes
        /// (`POST /auth/step-up`); an API token needs to have been made right after one.
        StepUpRequired = "step_up_required",
        /// 401: the second-factor code or recovery code is wrong, was used already, or the
        /// pending sign-in expired.
        InvalidCode = "invalid_code",
        /// 403: the user must enrol a second factor first; only the enrolment routes, `me` and
        /// `logout` answer until then.
        MfaEnrollmentRequired = "mfa_enrollment_required",
        /// 403: a `read` API token on a request that is not GET or HEAD.
        InsufficientScope = "insufficient_scope",
        /// 404: no such record, or not visible to the caller.
        NotFound = "not_found",
        /// 405: the path exists, the method does not (`Allow` lists the ones it takes).
        MethodNotAllowed = "method_not_allowed",
        /// 409: the record's state does not allow this action.
        InvalidTransition = "invalid_transition",
        /// 409: not every party accepted the terms yet (or the caller did not acknowledge them).
        TermsNotAccepted = "terms_not_accepted",
        /// 409: the model already has an open designation request (its id is the problem's
        /// `open_request_id`); withdraw it or wait for its determination before filing another.
        DuplicateRequest = "duplicate_request",
        /// 409: an agency with that code exists already.
        AgencyExists = "agency_exists",
        /// 409: a second factor is enrolled already (remove it first), or none is pending.
        MfaState = "mfa_state",
        /// 409: an operator tried to disable, or change the role of, their own account (another
        /// operator must do it, so nobody locks the portal's administration out by mistake).
        OwnAccount = "own_account",
        /// 409: the change would leave an organization without an admin (demoting its last
        /// active admin, or revoking the only admin invitation of one that has no active admin).
        LastAdmin = "last_admin",
        /// 409: resending or revoking the invitation of someone who is not invited (joined,
        /// disabled, or the invitation was revoked already).
        NotInvited = "not_invited",
        /// 409: an operator tried to deactivate the operators' own organization.
        OwnOrganization = "own_organization",
        /// 409: a developer organization with something only its own off switch can close (an
        /// open request, an open window, a pending nomination, an open partner grant) stays
        /// active, so that switch stays in reach (DESIGN §2.7).
        OrganizationHasOpenRecords = "organization_has_open_records",
        /// 409: the email address already has an account.
        EmailTaken = "email_taken",
        /// 409: an organization of that kind and name exists already.
        NameTaken = "name_taken",
        /// 413: the body is larger than the limit.
        BodyTooLarge = "body_too_large",
        /// 415: the body is not `application/json`.
        UnsupportedMediaType = "unsupported_media_type",
        /// 422: per-field errors in `errors[]`.
        ValidationFailed = "validation_failed",
        /// 422: an invalid, used or expired link (or the wrong sign-up password).
        InvalidToken = "invalid_token",
        /// 422: a window that does not end after it starts.
        InvalidWindow = "invalid_window",
        /// 422: the window would take the model past the 30-day Government cap.
        WindowCapExceeded = "window_cap_exceeded",
        /// 422: the window would run past the model's planned partner release.
        WindowAfterRelease = "window_after_release",
        /// 422: an access-log entry outside the window, or in the future.
        OutsideWindow = "outside_window",
        /// 422: early access only for a partner both sides selected.
        NotSelected = "not_selected",
        /// 429: too many attempts; see `Retry-After`.
        Throttled = "throttled",
        /// 500: a bug; logged with the request id.
        InternalError = "internal_error",
        /// 503: the database cannot be used right now; retry after a moment.
        DatabaseUnavailable = "database_unavailable",
        /// 503 from `/readyz`: the database is not reachable.
        NotReady = "not_ready",
    }
}
