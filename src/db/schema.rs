// Diesel table definitions for both backends. Written to match migrations/{sqlite,postgres};
// the migration round-trip test fails if the two drift apart.

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        agency_code -> Nullable<Text>,
        partner_type -> Nullable<Text>,
        sector -> Nullable<Text>,
        created_at -> Timestamp,
        mfa_required -> Bool,
        deactivated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        organization_id -> Text,
        email -> Text,
        name -> Text,
        org_role -> Text,
        password_hash -> Nullable<Text>,
        email_verified_at -> Nullable<Timestamp>,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        mfa_at -> Nullable<Timestamp>,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        mfa -> Bool,
        scope -> Text,
    }
}

diesel::table! {
    totp_factors (user_id) {
        user_id -> Text,
        secret -> Text,
        created_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    webauthn_credentials (id) {
        id -> Text,
        user_id -> Text,
        credential_id -> Text,
        name -> Text,
        passkey -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webauthn_ceremonies (id) {
        id -> Text,
        user_id -> Text,
        purpose -> Text,
        binding -> Text,
        state -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    oidc_identities (provider, subject) {
        provider -> Text,
        subject -> Text,
        user_id -> Text,
        email -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    oidc_attempts (state) {
        state -> Text,
        provider -> Text,
        binding -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Text,
        user_id -> Text,
        code_hash -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> Text,
        purpose -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttle (email) {
        email -> Text,
        failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        reason -> Text,
        to_address -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        last_seq -> BigInt,
        last_hash -> Text,
        records_seq -> BigInt,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        id -> Text,
        occurred_at -> Timestamp,
        actor_user_id -> Nullable<Text>,
        actor_org_id -> Nullable<Text>,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        visible_to -> Text,
        detail -> Text,
        request_id -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_event_orgs (organization_id, seq) {
        seq -> BigInt,
        organization_id -> Text,
    }
}

diesel::table! {
    models (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        version -> Text,
        description -> Text,
        modality -> Text,
        planned_partner_release_at -> Nullable<Timestamp>,
        released_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    designation_requests (id) {
        id -> Text,
        model_id -> Text,
        organization_id -> Text,
        status -> Text,
        summary -> Text,
        capability_evidence -> Text,
        requested_response_by -> Nullable<Date>,
        submitted_at -> Nullable<Timestamp>,
        withdrawn_at -> Nullable<Timestamp>,
        assigned_to_user_id -> Nullable<Text>,
        assigned_at -> Nullable<Timestamp>,
        determined_at -> Nullable<Timestamp>,
        outcome -> Nullable<Text>,
        rationale -> Nullable<Text>,
        benchmark_ref -> Nullable<Text>,
        determined_by_user_id -> Nullable<Text>,
        created_by_user_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    consultations (id) {
        id -> Text,
        request_id -> Text,
        agency_code -> Text,
        position -> Text,
        note -> Text,
        recorded_by_user_id -> Text,
        organization_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    designation_messages (id) {
        id -> Text,
        request_id -> Text,
        author_user_id -> Text,
        author_org_id -> Text,
        kind -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    grant_messages (id) {
        id -> Text,
        grant_type -> Text,
        grant_id -> Text,
        author_user_id -> Text,
        author_org_id -> Text,
        side -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    terms_versions (id) {
        id -> Text,
        organization_id -> Text,
        is_template -> Bool,
        label -> Text,
        confidentiality -> Text,
        cybersecurity -> Text,
        insider_risk -> Text,
        intellectual_property -> Text,
        use_terms -> Text,
        nondisclosure -> Text,
        sha256 -> Text,
        created_by_user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    access_grants (id) {
        id -> Text,
        model_id -> Text,
        organization_id -> Text,
        access_mode -> Text,
        access_instructions -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        terms_version_id -> Text,
        created_by_user_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        terms_completed_at -> Nullable<Timestamp>,
        start_notice_sent_at -> Nullable<Timestamp>,
        end_notice_sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    access_grant_grantees (grant_id, organization_id) {
        grant_id -> Text,
        organization_id -> Text,
    }
}

diesel::table! {
    nominations (id) {
        id -> Text,
        model_id -> Text,
        organization_id -> Text,
        partner_org_id -> Nullable<Text>,
        new_partner_name -> Nullable<Text>,
        new_partner_type -> Nullable<Text>,
        new_partner_sector -> Nullable<Text>,
        new_partner_contact_email -> Nullable<Text>,
        nominated_by -> Text,
        nominated_by_user_id -> Text,
        developer_position -> Text,
        government_position -> Text,
        rationale -> Text,
        rescinded_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    partner_grants (id) {
        id -> Text,
        nomination_id -> Text,
        model_id -> Text,
        organization_id -> Text,
        partner_org_id -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        terms_version_id -> Text,
        access_instructions -> Text,
        created_by_user_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        terms_completed_at -> Nullable<Timestamp>,
        start_notice_sent_at -> Nullable<Timestamp>,
        end_notice_sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    terms_acceptances (id) {
        id -> Text,
        grant_type -> Text,
        grant_id -> Text,
        scope -> Text,
        organization_id -> Text,
        user_id -> Text,
        terms_version_id -> Text,
        terms_sha256 -> Text,
        accepted_at -> Timestamp,
    }
}

diesel::table! {
    grant_declines (id) {
        id -> Text,
        grant_type -> Text,
        grant_id -> Text,
        organization_id -> Text,
        user_id -> Text,
        reason -> Nullable<Text>,
        declined_at -> Timestamp,
    }
}

diesel::table! {
    roster_entries (id) {
        id -> Text,
        grant_type -> Text,
        grant_id -> Text,
        user_id -> Text,
        organization_id -> Text,
        added_by_user_id -> Text,
        added_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    access_log_entries (id) {
        id -> Text,
        grant_id -> Text,
        user_id -> Text,
        organization_id -> Text,
        occurred_at -> Timestamp,
        kind -> Text,
        duration_minutes -> Integer,
        summary -> Text,
        created_at -> Timestamp,
        corrects_entry_id -> Nullable<Text>,
    }
}

diesel::table! {
    notification_optouts (user_id, reason) {
        user_id -> Text,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(notification_optouts -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(models -> organizations (organization_id));
diesel::joinable!(designation_requests -> models (model_id));
diesel::joinable!(access_grants -> models (model_id));
diesel::joinable!(access_grant_grantees -> access_grants (grant_id));
diesel::joinable!(access_grant_grantees -> organizations (organization_id));
diesel::joinable!(nominations -> models (model_id));
diesel::joinable!(partner_grants -> models (model_id));
diesel::joinable!(roster_entries -> users (user_id));
diesel::joinable!(access_log_entries -> users (user_id));
diesel::joinable!(audit_event_orgs -> audit_events (seq));

diesel::joinable!(totp_factors -> users (user_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(webauthn_credentials -> users (user_id));
diesel::joinable!(webauthn_ceremonies -> users (user_id));
diesel::joinable!(oidc_identities -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    totp_factors,
    webauthn_credentials,
    webauthn_ceremonies,
    oidc_identities,
    oidc_attempts,
    recovery_codes,
    organizations,
    users,
    sessions,
    api_tokens,
    email_tokens,
    login_throttle,
    outbox,
    audit_head,
    audit_events,
    audit_event_orgs,
    models,
    designation_requests,
    consultations,
    designation_messages,
    grant_messages,
    terms_versions,
    access_grants,
    access_grant_grantees,
    nominations,
    partner_grants,
    terms_acceptances,
    grant_declines,
    roster_entries,
    access_log_entries,
    notification_optouts,
);
