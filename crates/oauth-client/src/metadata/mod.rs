//! Authorization server and client metadata.

mod client;
mod server;

pub use client::ClientMetadata;
pub use server::{MtlsEndpointAliases, ServerMetadata};
