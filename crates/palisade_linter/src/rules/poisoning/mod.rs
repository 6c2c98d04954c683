//! Text a model reads that tries to take it over.

pub(crate) mod tool_description_override;
