//! Recorded client operations and the schema coordinates each one uses, so a breaking change can name the
//! operations it breaks.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use graphql_tools::static_graphql::query::{
    Definition, Document, FragmentDefinition, OperationDefinition, Selection, SelectionSet, TypeCondition,
    VariableDefinition,
};
use graphql_tools::static_graphql::schema::Type;

use super::model::SchemaModel;

/// One recorded operation and what it uses.
#[derive(Debug, Clone)]
pub struct RecordedOperation {
    /// The operation's name, or `<file>#<index>` for an anonymous one.
    pub name: String,
    /// `Type`, `Type.field` and `Type.field(arg:)` coordinates the operation touches.
    pub uses: BTreeSet<String>,
}

/// Why the recorded operations could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OperationsError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A `.json` file is not a list of strings.
    #[error("{path}: expected a JSON list of GraphQL documents: {reason}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        reason: String,
    },
    /// A document does not parse as GraphQL.
    #[error("{source_name}: {reason}")]
    Parse {
        /// The file (and list index) of the document.
        source_name: String,
        /// The parse error.
        reason: String,
    },
}

/// Reads operations from `path`: a `.json` file holding a list of documents, any other file holding one
/// document, or a folder of such files (read in name order). Coordinates are resolved against `schema`.
pub fn load_operations(path: &Path, schema: &SchemaModel) -> Result<Vec<RecordedOperation>, OperationsError> {
    let read_error = |source| OperationsError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).map_err(read_error)? {
            files.push(entry.map_err(read_error)?.path());
        }
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }
    let mut operations = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| OperationsError::Read {
            path: file.clone(),
            source,
        })?;
        let label = file
            .file_name()
            .map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into());
        if file.extension().is_some_and(|e| e == "json") {
            let documents: Vec<String> = serde_json::from_str(&text).map_err(|error| OperationsError::Json {
                path: file.clone(),
                reason: error.to_string(),
            })?;
            for (index, document) in documents.iter().enumerate() {
                operations.extend(operations_in(&format!("{label}[{index}]"), document, schema)?);
            }
        } else {
            operations.extend(operations_in(&label, &text, schema)?);
        }
    }
    Ok(operations)
}

/// The operations of one document with the coordinates each uses.
pub fn operations_in(
    source_name: &str,
    text: &str,
    schema: &SchemaModel,
) -> Result<Vec<RecordedOperation>, OperationsError> {
    let document: Document = graphql_tools::parser::parse_query::<String>(text)
        .map_err(|error| OperationsError::Parse {
            source_name: source_name.to_owned(),
            reason: error.to_string(),
        })?
        .into_static();
    let fragments: HashMap<&str, &FragmentDefinition> = document
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::Fragment(f) => Some((f.name.as_str(), f)),
            Definition::Operation(_) => None,
        })
        .collect();
    let mut operations = Vec::new();
    for (index, definition) in document.definitions.iter().enumerate() {
        let Definition::Operation(operation) = definition else {
            continue;
        };
        let (name, root, variables, selection_set) = match operation {
            OperationDefinition::SelectionSet(s) => (None, 0, &[][..], s),
            OperationDefinition::Query(q) => (q.name.as_ref(), 0, &q.variable_definitions[..], &q.selection_set),
            OperationDefinition::Mutation(m) => (m.name.as_ref(), 1, &m.variable_definitions[..], &m.selection_set),
            OperationDefinition::Subscription(s) => (s.name.as_ref(), 2, &s.variable_definitions[..], &s.selection_set),
        };
        let mut walker = Walker {
            schema,
            fragments: &fragments,
            uses: BTreeSet::new(),
            visited_fragments: BTreeSet::new(),
        };
        walker.variables(variables);
        if let Some(root) = &schema.roots[root] {
            walker.uses.insert(root.clone());
            walker.selection_set(root, selection_set);
        }
        operations.push(RecordedOperation {
            name: name.cloned().unwrap_or_else(|| format!("{source_name}#{index}")),
            uses: walker.uses,
        });
    }
    Ok(operations)
}

struct Walker<'a> {
    schema: &'a SchemaModel,
    fragments: &'a HashMap<&'a str, &'a FragmentDefinition>,
    uses: BTreeSet<String>,
    visited_fragments: BTreeSet<String>,
}

impl Walker<'_> {
    fn variables(&mut self, variables: &[VariableDefinition]) {
        for variable in variables {
            self.input_type(&variable.var_type);
        }
    }

    /// An input type and every input type reachable through its fields: values of them may be sent.
    fn input_type(&mut self, ty: &Type) {
        let name = SchemaModel::named(ty).to_owned();
        if !self.uses.insert(name.clone()) {
            return;
        }
        if let Some(model) = self.schema.types.get(&name) {
            for field in model.input_fields.values() {
                self.input_type(&field.ty);
            }
        }
    }

    fn selection_set(&mut self, parent: &str, selection_set: &SelectionSet) {
        for selection in &selection_set.items {
            match selection {
                Selection::Field(field) => {
                    if field.name.starts_with("__") {
                        continue;
                    }
                    let coordinate = format!("{parent}.{}", field.name);
                    self.uses.insert(coordinate.clone());
                    let model = self.schema.types.get(parent).and_then(|t| t.fields.get(&field.name));
                    for (argument, _) in &field.arguments {
                        self.uses.insert(format!("{coordinate}({argument}:)"));
                        if let Some(input) = model.and_then(|m| m.arguments.get(argument)) {
                            self.input_type(&input.ty);
                        }
                    }
                    if let Some(model) = model {
                        let child = SchemaModel::named(&model.ty).to_owned();
                        self.uses.insert(child.clone());
                        self.selection_set(&child, &field.selection_set);
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let on = match &fragment.type_condition {
                        Some(TypeCondition::On(on)) => on.clone(),
                        None => parent.to_owned(),
                    };
                    self.uses.insert(on.clone());
                    self.selection_set(&on, &fragment.selection_set);
                }
                Selection::FragmentSpread(spread) => {
                    if !self.visited_fragments.insert(spread.fragment_name.clone()) {
                        continue;
                    }
                    if let Some(fragment) = self.fragments.get(spread.fragment_name.as_str()) {
                        let TypeCondition::On(on) = &fragment.type_condition;
                        self.uses.insert(on.clone());
                        self.selection_set(on, &fragment.selection_set);
                    }
                }
            }
        }
    }
}
