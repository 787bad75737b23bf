//! Parsing the document and picking the operation the request runs.

use graphql_tools::static_graphql::query::{Definition, Document, OperationDefinition};
use hive_router_query_planner::utils::parsing::safe_parse_operation_with_token_limit;

use super::error::{Location, RequestError};

/// The message the parser gives when the token limit cuts a document short.
const TOKEN_LIMIT_MESSAGE: &str = "Token limit exceeded";

/// Parses `text`, stopping after `max_tokens` tokens.
pub(crate) fn parse(text: &str, max_tokens: usize) -> Result<Document, RequestError> {
    safe_parse_operation_with_token_limit(text, max_tokens).map_err(|error| {
        let location = Location::from(error.0.position);
        let text = error.to_string();
        // The parser's text is "Parse error at L:C" followed by one line per problem.
        let details: Vec<&str> = text
            .lines()
            .skip(1)
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect();
        if details.contains(&TOKEN_LIMIT_MESSAGE) {
            return RequestError::TokenLimit { limit: max_tokens };
        }
        let message = if details.is_empty() {
            "invalid syntax".to_owned()
        } else {
            details.join("; ")
        };
        RequestError::Parse {
            message: format!("Syntax error: {message}"),
            location: Some(location),
        }
    })
}

/// The index (in `document.definitions`) of the operation named `name`, or of the only operation when no name
/// is given.
pub(crate) fn select_operation(document: &Document, name: Option<&str>) -> Result<usize, RequestError> {
    let mut operations = document
        .definitions
        .iter()
        .enumerate()
        .filter_map(|(at, definition)| match definition {
            Definition::Operation(operation) => Some((at, operation_name(operation))),
            Definition::Fragment(_) => None,
        });
    match name {
        Some(wanted) => operations
            .find(|(_, name)| *name == Some(wanted))
            .map(|(at, _)| at)
            .ok_or_else(|| RequestError::UnknownOperation(wanted.to_owned())),
        None => {
            let (at, _) = operations.next().ok_or(RequestError::NoOperation)?;
            if operations.next().is_some() {
                return Err(RequestError::OperationNameRequired);
            }
            Ok(at)
        }
    }
}

/// The name an operation was given in the document.
pub(crate) fn operation_name(operation: &OperationDefinition) -> Option<&str> {
    match operation {
        OperationDefinition::SelectionSet(_) => None,
        OperationDefinition::Query(query) => query.name.as_deref(),
        OperationDefinition::Mutation(mutation) => mutation.name.as_deref(),
        OperationDefinition::Subscription(subscription) => subscription.name.as_deref(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_reports_its_location() {
        let Err(RequestError::Parse { message, location }) = parse("{ me { id }", 1000) else {
            panic!("a missing brace does not parse");
        };
        assert!(message.starts_with("Syntax error: "), "{message}");
        assert_eq!(location.map(|l| l.line), Some(1));
    }

    #[test]
    fn token_limit_cuts_long_documents() {
        let error = parse("{ a b c d e f g h }", 5).expect_err("too many tokens");
        assert_eq!(error, RequestError::TokenLimit { limit: 5 });
        assert!(parse("{ a b c d e f g h }", 50).is_ok());
    }

    #[test]
    fn operation_is_picked_by_name_or_alone() {
        let document = parse("query A { a } query B { b } fragment F on Query { a }", 100).expect("parses");
        assert_eq!(select_operation(&document, Some("B")), Ok(1));
        assert_eq!(
            select_operation(&document, None),
            Err(RequestError::OperationNameRequired)
        );
        assert_eq!(
            select_operation(&document, Some("C")),
            Err(RequestError::UnknownOperation("C".into()))
        );
        let single = parse("fragment F on Query { a } { a }", 100).expect("parses");
        assert_eq!(select_operation(&single, None), Ok(1));
        let none = parse("fragment F on Query { a }", 100).expect("parses");
        assert_eq!(select_operation(&none, None), Err(RequestError::NoOperation));
    }
}
