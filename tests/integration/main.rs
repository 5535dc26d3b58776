//! The one integration test binary (each test binary links DataFusion again, so
//! there is only this one). Modules by area.

#[cfg(feature = "cluster")]
mod cluster;
mod compat;
mod convert;
mod ddl;
mod detections;
mod harness;
mod hunt;
mod library;
mod report;
mod s3;
mod shell;
mod sql;
mod verify;
mod watch;
