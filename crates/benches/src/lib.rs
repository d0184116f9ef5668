#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

pub mod alloc;
pub mod fixtures;
pub mod harness;
