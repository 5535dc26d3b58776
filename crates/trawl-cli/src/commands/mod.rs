//! One module per subcommand. Each maps its arguments onto the layers below
//! (session, shell, archive, print) and the library crates; none imports another.

#[cfg(feature = "cluster")]
pub mod cluster;
pub mod convert;
pub mod ddl;
pub mod demo;
pub mod generate;
pub mod hunt;
pub mod queries;
pub mod report;
pub mod sql;
pub mod verify;
pub mod watch;
