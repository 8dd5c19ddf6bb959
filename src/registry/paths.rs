//! Where skiff keeps its configuration (repositories, registry logins) and
//! its download cache.
//!
//! `SKIFF_CONFIG_HOME` / `SKIFF_CACHE_HOME` win (tests and CI point them at
//! temporary folders), then the XDG variables, then `~/.config/skiff` and
//! `~/.cache/skiff` — the same layout helm uses under its own name.

use std::path::PathBuf;

use super::RegistryError;

/// The configuration and cache folders of this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Homes {
    /// `repositories.yaml` and `registry/config.json` live here.
    pub config: PathBuf,
    /// Downloaded content and repository indexes live here.
    pub cache: PathBuf,
}

impl Homes {
    /// The folders from the environment.
    pub fn from_env() -> Result<Homes, RegistryError> {
        Homes::from_lookup(|name| std::env::var_os(name).filter(|v| !v.is_empty()))
    }

    /// The folders from `lookup` (an environment), so tests need not touch
    /// the process environment.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Result<Homes, RegistryError> {
        let home = || {
            lookup("HOME").map(PathBuf::from).ok_or_else(|| {
                RegistryError::Invalid(
                    "cannot find a home folder: set HOME, or SKIFF_CONFIG_HOME and SKIFF_CACHE_HOME"
                        .into(),
                )
            })
        };
        let config = match (lookup("SKIFF_CONFIG_HOME"), lookup("XDG_CONFIG_HOME")) {
            (Some(dir), _) => PathBuf::from(dir),
            (None, Some(xdg)) => PathBuf::from(xdg).join("skiff"),
            (None, None) => home()?.join(".config").join("skiff"),
        };
        let cache = match (lookup("SKIFF_CACHE_HOME"), lookup("XDG_CACHE_HOME")) {
            (Some(dir), _) => PathBuf::from(dir),
            (None, Some(xdg)) => PathBuf::from(xdg).join("skiff"),
            (None, None) => home()?.join(".cache").join("skiff"),
        };
        Ok(Homes { config, cache })
    }

    /// The file of added HTTP chart repositories.
    pub fn repositories_file(&self) -> PathBuf {
        self.config.join("repositories.yaml")
    }

    /// The registry credentials file (docker `config.json` format).
    pub fn registry_config(&self) -> PathBuf {
        self.config.join("registry").join("config.json")
    }

    /// The folder of cached repository indexes.
    pub fn repository_cache(&self) -> PathBuf {
        self.cache.join("repository")
    }

    /// The content-addressed download cache.
    pub fn content_cache(&self) -> super::cache::ContentCache {
        super::cache::ContentCache::new(self.cache.join("content"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn skiff_variables_win_then_xdg_then_home() {
        let h = Homes::from_lookup(env(&[
            ("HOME", "/h"),
            ("XDG_CONFIG_HOME", "/x/c"),
            ("SKIFF_CACHE_HOME", "/s/cache"),
        ]))
        .unwrap();
        assert_eq!(h.config, PathBuf::from("/x/c/skiff"));
        assert_eq!(h.cache, PathBuf::from("/s/cache"));
        let h = Homes::from_lookup(env(&[("HOME", "/h")])).unwrap();
        assert_eq!(h.config, PathBuf::from("/h/.config/skiff"));
        assert_eq!(h.cache, PathBuf::from("/h/.cache/skiff"));
        assert!(Homes::from_lookup(env(&[])).is_err());
    }
}
