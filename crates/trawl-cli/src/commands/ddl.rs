//! `trawl ddl`: the lake's table definition for another engine, printed. What it
//! says is `trawl_engine::ddl`'s; this module maps the arguments and prints.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::args::DdlArgs;

pub async fn run(a: DdlArgs) -> Result<ExitCode> {
    let lake = a
        .lake
        .lake
        .to_str()
        .context("the lake's path is not UTF-8")?;
    let info = trawl_engine::ddl::lake_table_info(lake).await?;
    let ddl = trawl_engine::ddl::table_ddl(a.engine, &info, &a.table)?;
    // Written, not print!'d: a closed pipe is an error to return, not a panic.
    std::io::stdout().lock().write_all(ddl.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
