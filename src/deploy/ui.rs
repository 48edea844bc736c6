//! Terminal conventions: colour (off without a terminal, with `NO_COLOR` or
//! `TERM=dumb`), and the `(y/N)` confirmation (default no; `-y` answers yes;
//! no terminal and no `-y` is an error before anything changes).

use std::io::{IsTerminal as _, Write};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};

/// `TERM=dumb` (or unset): the terminal cannot move the cursor or colour,
/// so progress is printed line by line, as in a log.
#[must_use]
pub fn dumb_terminal() -> bool {
    std::env::var("TERM").map_or(true, |t| t.is_empty() || t == "dumb")
}

/// The width of the terminal on standard output, in columns.
#[must_use]
pub fn width() -> Option<usize> {
    console::Term::stdout()
        .size_checked()
        .map(|(_, cols)| usize::from(cols))
        .filter(|c| *c > 0)
}

/// Whether to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// ANSI colours on.
    pub colour: bool,
}

impl Style {
    /// Colour when standard output is a terminal, `NO_COLOR` is unset or
    /// empty, and `TERM` is not `dumb`.
    #[must_use]
    pub fn detect() -> Self {
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            colour: std::io::stdout().is_terminal() && !no_colour && !dumb_terminal(),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Red.
    #[must_use]
    pub fn red(self, t: &str) -> String {
        self.paint("31", t)
    }
    /// Bold red.
    #[must_use]
    pub fn red_bold(self, t: &str) -> String {
        self.paint("1;31", t)
    }
    /// Green.
    #[must_use]
    pub fn green(self, t: &str) -> String {
        self.paint("32", t)
    }
    /// Yellow.
    #[must_use]
    pub fn yellow(self, t: &str) -> String {
        self.paint("33", t)
    }
    /// Cyan.
    #[must_use]
    pub fn cyan(self, t: &str) -> String {
        self.paint("36", t)
    }
    /// Bold.
    #[must_use]
    pub fn bold(self, t: &str) -> String {
        self.paint("1", t)
    }
    /// Colours a stack or resource status by what it means.
    #[must_use]
    pub fn status(self, status: &str) -> String {
        if status.contains("FAILED") || status.contains("ROLLBACK") {
            self.red(status)
        } else if status.ends_with("_COMPLETE") {
            self.green(status)
        } else {
            self.yellow(status)
        }
    }
}

/// The answer to a question, when it comes (a prompt waits for the user).
pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<bool, PromptError>> + 'a>>;

/// Why a question could not be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    /// A confirmation is needed and nobody can answer.
    #[error(
        "this command asks for confirmation, but standard input is not a terminal; pass -y/--yes to confirm non-interactively (e.g. in CI)"
    )]
    NoTerminal,
}

/// Asks the user a yes/no question.
pub trait Prompt {
    /// `Ok(true)` to go on; `Err` when nobody can be asked. Asynchronous, so
    /// that Ctrl-C is still seen while the user thinks.
    fn confirm<'a>(&'a mut self, question: &'a str) -> Answer<'a>;
}

/// The real prompt: `-y` answers yes; otherwise standard input must be a
/// terminal, and only `y`/`yes` counts as yes.
#[derive(Debug, Clone, Copy)]
pub struct TerminalPrompt {
    /// `-y/--yes` was given.
    pub yes: bool,
    /// Questions go to standard error (`up --json` keeps standard output
    /// for its document).
    pub stderr: bool,
}

impl TerminalPrompt {
    /// Fails early (before any change) when a question could not be answered.
    pub fn check(self) -> Result<(), PromptError> {
        if self.yes || std::io::stdin().is_terminal() {
            Ok(())
        } else {
            Err(PromptError::NoTerminal)
        }
    }
}

static ASKING: AtomicBool = AtomicBool::new(false);

/// True while a question waits for its answer (the cursor is on its line).
#[must_use]
pub fn asking() -> bool {
    ASKING.load(Ordering::Relaxed)
}

/// Reads one line of standard input on a thread of its own (a blocking read
/// would keep the single-threaded runtime from seeing Ctrl-C); the answer is
/// polled. The thread is left behind if the command ends first.
async fn read_line() -> Option<String> {
    // Cleared when the answer comes; still set when Ctrl-C ends the wait.
    ASKING.store(true, Ordering::Relaxed);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = std::io::stdin().read_line(&mut line);
        let _ = tx.send(read.ok().filter(|n| *n > 0).map(|_| line));
    });
    loop {
        match rx.try_recv() {
            Ok(line) => {
                ASKING.store(false, Ordering::Relaxed);
                return line;
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                tokio::time::sleep(std::time::Duration::from_millis(30)).await;
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                ASKING.store(false, Ordering::Relaxed);
                return None;
            }
        }
    }
}

impl Prompt for TerminalPrompt {
    fn confirm<'a>(&'a mut self, question: &'a str) -> Answer<'a> {
        let yes = self.yes;
        Box::pin(async move {
            let mut out: Box<dyn Write> = if self.stderr {
                Box::new(std::io::stderr())
            } else {
                Box::new(std::io::stdout())
            };
            if yes {
                let _ = writeln!(out, "{question} (y/N) yes (--yes)");
                return Ok(true);
            }
            if !std::io::stdin().is_terminal() {
                return Err(PromptError::NoTerminal);
            }
            let _ = write!(out, "{question} (y/N) ");
            let _ = out.flush();
            let Some(answer) = read_line().await else {
                // End of input (Ctrl-D): no.
                let _ = writeln!(out);
                return Ok(false);
            };
            Ok(matches!(
                answer.trim().to_ascii_lowercase().as_str(),
                "y" | "yes"
            ))
        })
    }
}

/// Scripted answers (tests).
#[derive(Debug, Clone, Default)]
pub struct Scripted {
    /// Answers, in order; when exhausted, the prompt fails as with no terminal.
    pub answers: Vec<bool>,
    /// The questions asked.
    pub asked: Vec<String>,
}

impl Prompt for Scripted {
    fn confirm<'a>(&'a mut self, question: &'a str) -> Answer<'a> {
        self.asked.push(question.to_owned());
        let answer = if self.answers.is_empty() {
            Err(PromptError::NoTerminal)
        } else {
            Ok(self.answers.remove(0))
        };
        Box::pin(std::future::ready(answer))
    }
}

/// Fits prose to a terminal `width`: each line longer than that is wrapped
/// at spaces, its continuation indented two more than the line. `None`
/// (not a terminal) leaves the text as it is, one line per line.
#[must_use]
pub fn fit(text: &str, width: Option<usize>) -> String {
    let Some(width) = width.filter(|w| *w >= 20) else {
        return text.to_owned();
    };
    let mut out = String::new();
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        if console::measure_text_width(line) <= width {
            out.push_str(line);
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let indent = " ".repeat(lead + 2);
        let mut used = 0;
        for word in line.trim_start().split(' ') {
            let len = console::measure_text_width(word);
            if used == 0 {
                out.push_str(&line[..lead]);
                used = lead;
            } else if used + 1 + len > width {
                out.push('\n');
                out.push_str(&indent);
                used = indent.len();
            } else {
                out.push(' ');
                used += 1;
            }
            out.push_str(word);
            used += len;
        }
    }
    out
}

/// `HH:MM:SS` (UTC) of a Unix time, for log lines.
#[must_use]
pub fn clock(secs: i64) -> String {
    let s = secs.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}Z", s / 3600, (s / 60) % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn prose_fits_the_width_and_nothing_is_cut_without_one() {
        let text = "c2cfn up: account 123456789012, region eu-west-1, stack ccg-develop, env file develop.env";
        assert_eq!(fit(text, None), text);
        let fitted = fit(text, Some(40));
        assert!(fitted.lines().all(|l| l.chars().count() <= 40), "{fitted}");
        assert_eq!(fitted.replace("\n  ", " "), text);
        // Indented lines keep their indent, continuations two more.
        let fitted = fit(
            "  a long line of words that will not fit in twenty",
            Some(20),
        );
        assert!(
            fitted.lines().skip(1).all(|l| l.starts_with("    ")),
            "{fitted}"
        );
        // A word longer than the width stays whole.
        assert_eq!(
            fit("x https://a-very-long-host-name.example.com/path", Some(20))
                .lines()
                .count(),
            2
        );
    }
}
