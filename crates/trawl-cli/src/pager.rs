//! Paging shell results through `$PAGER` (default `less -SRFX`) when they are taller
//! or wider than the terminal.

use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};

/// When the shell pages results (`\pager`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    Off,
    On,
    /// Only results that do not fit the terminal.
    Auto,
}

impl std::fmt::Display for Paging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Off => "off",
            Self::On => "on",
            Self::Auto => "auto",
        })
    }
}

/// Columns and rows of the terminal stdout writes to, if it is one with a size (a
/// pseudo-terminal nobody sized reports 0 x 0).
pub fn terminal_size() -> Option<(usize, usize)> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let (terminal_size::Width(w), terminal_size::Height(h)) = terminal_size::terminal_size()?;
    (w > 0 && h > 0).then_some((usize::from(w), usize::from(h)))
}

/// Whether `text` does not fit `cols` x `rows`; one row stays for the prompt.
pub fn does_not_fit(text: &str, cols: usize, rows: usize) -> bool {
    text.lines().count() >= rows || text.lines().any(|l| l.chars().count() > cols)
}

/// The pager command line: `$PAGER`, or `less -SRFX` (chop long lines instead of
/// wrapping them, keep colours, quit at once when the text fits, leave it on screen).
pub fn pager_command() -> String {
    std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less -SRFX".to_string())
}

/// Shows `text` through the pager and waits for it to quit. A pager that cannot be
/// started is an error; one the user quits early is not.
pub fn page(text: &str) -> std::io::Result<()> {
    // Through the shell, as psql and git do, so `$PAGER` may carry arguments.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(pager_command())
        .stdin(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        match stdin.write_all(text.as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e),
            _ => {}
        }
    }
    let status = child.wait()?;
    // `sh` says 127 when the pager is not found; anything else is the pager's business.
    if status.code() == Some(127) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("pager `{}` not found", pager_command()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting() {
        assert!(!does_not_fit("a\nb\n", 10, 5));
        assert!(does_not_fit("a\nb\nc\nd\ne\n", 10, 5));
        assert!(does_not_fit("abcdefghijk\n", 10, 5));
        // Box-drawing characters count as one column each.
        assert!(!does_not_fit("┌──────┐\n", 8, 5));
    }
}
