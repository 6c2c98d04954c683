pub(crate) mod uses;
