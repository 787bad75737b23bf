//! A post's values: its title, slug, Markdown body, tags and status, each parsed once at the boundary so an
//! invalid one cannot exist past it, and the status transitions publishing and archiving allow.

use std::fmt;

use uuid::Uuid;

use super::{InvalidInput, shown};

/// Longest title accepted, in characters.
pub const MAX_TITLE_LEN: usize = 200;
/// Longest slug accepted, in characters.
pub const MAX_SLUG_LEN: usize = 100;
/// Longest body accepted, in characters.
pub const MAX_BODY_LEN: usize = 100_000;
/// Longest tag accepted, in characters.
pub const MAX_TAG_LEN: usize = 32;
/// Most tags one post may carry.
pub const MAX_TAGS: usize = 10;

/// A post's title: 1 to [`MAX_TITLE_LEN`] characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    /// Trims `text` and refuses an empty, overlong or control-character title.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let title = text.trim();
        if title.is_empty() {
            return Err(InvalidInput::new("the title must not be empty"));
        }
        if title.chars().count() > MAX_TITLE_LEN {
            return Err(InvalidInput::new(format!(
                "the title is longer than {MAX_TITLE_LEN} characters"
            )));
        }
        if title.chars().any(char::is_control) {
            return Err(InvalidInput::new(
                "the title must be one line without control characters",
            ));
        }
        Ok(Self(title.to_owned()))
    }

    /// The title as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A post's address: lowercase ASCII letters and digits in words joined by single hyphens, at most
/// [`MAX_SLUG_LEN`] characters; unique among posts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug a client chose; it must already have the slug's shape (nothing is rewritten).
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let slug = text.trim();
        let words_ok = slug
            .split('-')
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if slug.is_empty() || slug.len() > MAX_SLUG_LEN || !words_ok {
            return Err(InvalidInput::new(format!(
                "the slug `{}` must be 1 to {MAX_SLUG_LEN} lowercase letters and digits, in words joined by single \
                 hyphens (e.g. `my-first-post`)",
                shown(text)
            )));
        }
        Ok(Self(slug.to_owned()))
    }

    /// The slug derived from `title`: its ASCII letters and digits, lowercased, each run of anything else a
    /// hyphen. A title with no ASCII letter or digit gets `post-<id>`, so every post has a slug.
    pub fn from_title(title: &Title, id: Uuid) -> Self {
        let mut slug = String::new();
        for c in title.as_str().chars() {
            if c.is_ascii_alphanumeric() {
                if slug.len() == MAX_SLUG_LEN {
                    break;
                }
                slug.push(c.to_ascii_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                if slug.len() >= MAX_SLUG_LEN - 1 {
                    break;
                }
                slug.push('-');
            }
        }
        let slug = slug.trim_end_matches('-');
        if slug.is_empty() {
            Self(format!("post-{}", id.simple()))
        } else {
            Self(slug.to_owned())
        }
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A post's body in Markdown, stored as written: at most [`MAX_BODY_LEN`] characters, no NUL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body(String);

impl Body {
    /// Refuses an overlong body, or one holding NUL characters (which PostgreSQL text cannot store).
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        if text.chars().count() > MAX_BODY_LEN {
            return Err(InvalidInput::new(format!(
                "the body is longer than {MAX_BODY_LEN} characters"
            )));
        }
        if text.contains('\0') {
            return Err(InvalidInput::new("the body must not contain NUL characters"));
        }
        Ok(Self(text.to_owned()))
    }

    /// The body as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One tag: 1 to [`MAX_TAG_LEN`] lowercase ASCII letters and digits, words joined by hyphens; case is folded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(String);

impl Tag {
    /// Trims and lowercases `text`, then refuses anything not shaped like a tag.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let tag = text.trim().to_ascii_lowercase();
        let words_ok = tag
            .split('-')
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if tag.is_empty() || tag.len() > MAX_TAG_LEN || !words_ok {
            return Err(InvalidInput::new(format!(
                "the tag `{}` must be 1 to {MAX_TAG_LEN} letters and digits, in words joined by hyphens",
                shown(text)
            )));
        }
        Ok(Self(tag))
    }

    /// The tag as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A post's tags: at most [`MAX_TAGS`], each once, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(Vec<Tag>);

impl Tags {
    /// Parses every tag, dropping repeats, and refuses more than [`MAX_TAGS`] distinct ones.
    pub fn parse(texts: &[String]) -> Result<Self, InvalidInput> {
        let mut tags = texts
            .iter()
            .map(|text| Tag::parse(text))
            .collect::<Result<Vec<_>, _>>()?;
        tags.sort();
        tags.dedup();
        if tags.len() > MAX_TAGS {
            return Err(InvalidInput::new(format!("a post may carry at most {MAX_TAGS} tags")));
        }
        Ok(Self(tags))
    }

    /// The tags, sorted.
    pub fn as_slice(&self) -> &[Tag] {
        &self.0
    }

    /// The tags as text, sorted.
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(|tag| tag.0.clone()).collect()
    }
}

/// Where a post is in its life: drafts and archived posts are seen only by those who may edit them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostStatus {
    /// Being written; not public.
    Draft,
    /// Public.
    Published,
    /// Withdrawn; no longer public.
    Archived,
}

/// Why a post cannot move to the status asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransitionRefused(String);

impl PostStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    /// Reads the stored form back; `None` for anything else.
    pub fn from_stored(text: &str) -> Option<Self> {
        match text {
            "draft" => Some(Self::Draft),
            "published" => Some(Self::Published),
            "archived" => Some(Self::Archived),
            _ => None,
        }
    }

    /// Whether anyone, signed in or not, may read a post in this status.
    pub fn is_public(self) -> bool {
        self == Self::Published
    }

    /// Publishing: a draft, or an archived post brought back; publishing a published post is refused.
    pub fn publish(self) -> Result<Self, TransitionRefused> {
        match self {
            Self::Draft | Self::Archived => Ok(Self::Published),
            Self::Published => Err(TransitionRefused("the post is already published".to_owned())),
        }
    }

    /// Archiving: a draft or a published post; archiving twice is refused.
    pub fn archive(self) -> Result<Self, TransitionRefused> {
        match self {
            Self::Draft | Self::Published => Ok(Self::Archived),
            Self::Archived => Err(TransitionRefused("the post is already archived".to_owned())),
        }
    }

    /// Editing: drafts and published posts; an archived post is kept as it was withdrawn.
    pub fn edit(self) -> Result<Self, TransitionRefused> {
        match self {
            Self::Archived => Err(TransitionRefused(
                "an archived post cannot be edited; publish it again first".to_owned(),
            )),
            other => Ok(other),
        }
    }

    /// Commenting: only published posts take comments.
    pub fn accepts_comments(self) -> Result<(), TransitionRefused> {
        match self {
            Self::Published => Ok(()),
            _ => Err(TransitionRefused("only published posts take comments".to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(Title::parse("  Hello  ").unwrap().as_str(), "Hello");
        assert!(Title::parse("   ").is_err());
        assert!(Title::parse(&"x".repeat(MAX_TITLE_LEN)).is_ok());
        assert!(Title::parse(&"x".repeat(MAX_TITLE_LEN + 1)).is_err());
        assert!(Title::parse("two\nlines").is_err());
    }

    #[test]
    fn slugs_must_already_be_slugs() {
        for good in ["a", "my-first-post", "2026-plans"] {
            assert_eq!(Slug::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "My-Post",
            "a--b",
            "-a",
            "a-",
            "a b",
            "é",
            &"a".repeat(MAX_SLUG_LEN + 1),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_slug_is_derived_from_the_title() {
        let id = Uuid::now_v7();
        let slug = |title: &str| Slug::from_title(&Title::parse(title).unwrap(), id).as_str().to_owned();
        assert_eq!(slug("Hello, World!"), "hello-world");
        assert_eq!(slug("  Rust 2024 -- what's new?  "), "rust-2024-what-s-new");
        assert_eq!(slug("日本語"), format!("post-{}", id.simple()));
        let long = slug(&"word ".repeat(38));
        assert!(long.len() <= MAX_SLUG_LEN && Slug::parse(&long).is_ok(), "{long}");
    }

    #[test]
    fn bodies_are_kept_as_written_but_bounded() {
        assert_eq!(Body::parse("# Title\n\n*text*").unwrap().as_str(), "# Title\n\n*text*");
        assert!(Body::parse(&"x".repeat(MAX_BODY_LEN + 1)).is_err());
        assert!(Body::parse("nul\0").is_err());
    }

    #[test]
    fn tags_are_folded_deduplicated_and_bounded() {
        let tags = Tags::parse(&["Rust".into(), "rust".into(), "web-dev".into()]).unwrap();
        assert_eq!(tags.to_strings(), ["rust", "web-dev"]);
        assert!(Tags::parse(&["no spaces".into()]).is_err());
        assert!(Tags::parse(&["x".repeat(MAX_TAG_LEN + 1)]).is_err());
        let many: Vec<String> = (0..=MAX_TAGS).map(|n| format!("t{n}")).collect();
        assert!(Tags::parse(&many).is_err());
    }

    #[test]
    fn statuses_move_as_publishing_and_archiving_allow() {
        use PostStatus::*;
        assert_eq!(Draft.publish(), Ok(Published));
        assert_eq!(Archived.publish(), Ok(Published));
        assert!(Published.publish().is_err());
        assert_eq!(Draft.archive(), Ok(Archived));
        assert_eq!(Published.archive(), Ok(Archived));
        assert!(Archived.archive().is_err());
        assert!(Archived.edit().is_err());
        assert!(Published.accepts_comments().is_ok());
        assert!(Draft.accepts_comments().is_err());
        for status in [Draft, Published, Archived] {
            assert_eq!(PostStatus::from_stored(status.as_str()), Some(status));
        }
        assert!(Published.is_public() && !Draft.is_public() && !Archived.is_public());
    }
}
