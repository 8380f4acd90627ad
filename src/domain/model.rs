//! A model's lifecycle as the API reports it (DESIGN §2.1): derived from `released_at`, never
//! stored.

domain_string_enum! {
    /// Where a model stands: in development until the developer marks it released.
    pub enum ModelStatus {
        /// Not released yet (`released_at` unset).
        InDevelopment = "in_development",
        /// The developer marked it released (`released_at` set).
        Released = "released",
    }
}

impl ModelStatus {
    /// The status of a model with this `released_at`.
    pub fn of<T>(released_at: Option<T>) -> ModelStatus {
        if released_at.is_some() {
            ModelStatus::Released
        } else {
            ModelStatus::InDevelopment
        }
    }
}
