//! Progressive `@override`: which labels are on for one request. The plan depends on them, so the context is
//! reduced to what the supergraph actually uses and can be part of a plan cache key.

use std::sync::Arc;

use hive_router_query_planner::graph::PERCENTAGE_SCALE_FACTOR;
use hive_router_query_planner::graph::PlannerOverrideContext;

use crate::supergraph::Supergraph;

/// The progressive-override state of one request, canonical for a supergraph: two requests that must get the same
/// plan get equal contexts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct OverrideContext {
    /// The custom labels (`@override(label: "my-flag")`) that are on and that the supergraph uses, sorted.
    active_labels: Vec<Arc<str>>,
    /// The request's roll, scaled like the planner's percentages and lowered to the largest percentage label that
    /// is not above it (or 0), so every roll between two labels maps to the same value.
    percentage_value: u64,
}

impl OverrideContext {
    /// The context for a request with `active_labels` switched on and a roll of `request_percentage` (0 to 100, drawn
    /// once per request): a `percent(p)` label applies when the roll is below `p`. Labels the supergraph does not
    /// use are ignored.
    pub fn resolve<'a>(
        supergraph: &Supergraph,
        active_labels: impl IntoIterator<Item = &'a str>,
        request_percentage: f64,
    ) -> Self {
        let known = &supergraph.planner().supergraph.progressive_overrides;
        let mut labels: Vec<Arc<str>> = active_labels
            .into_iter()
            .filter(|label| known.flags.contains(*label))
            .map(Arc::from)
            .collect();
        labels.sort_unstable();
        labels.dedup();
        // `as` saturates for out-of-range floats and maps NaN to 0, which is the conservative roll.
        let roll = (request_percentage.clamp(0.0, 100.0) * PERCENTAGE_SCALE_FACTOR as f64) as u64;
        let percentage_value = known
            .percentages
            .iter()
            .copied()
            .filter(|p| *p <= roll)
            .max()
            .unwrap_or(0);
        Self {
            active_labels: labels,
            percentage_value,
        }
    }

    /// The labels that are on, sorted.
    pub fn active_labels(&self) -> &[Arc<str>] {
        &self.active_labels
    }

    pub(crate) fn to_planner_context(&self) -> PlannerOverrideContext {
        PlannerOverrideContext::new(
            self.active_labels.iter().map(|label| label.to_string()).collect(),
            self.percentage_value,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::supergraph::test_fixture::supergraph_with_progressive_overrides;

    fn supergraph_with_overrides() -> Supergraph {
        Supergraph::parse(&supergraph_with_progressive_overrides()).expect("the override fixture is a valid supergraph")
    }

    #[test]
    fn unknown_labels_are_dropped_and_known_ones_sorted() {
        let supergraph = supergraph_with_overrides();
        let context = OverrideContext::resolve(&supergraph, ["other", "product-name", "product-name"], 50.0);
        assert_eq!(context.active_labels(), [Arc::<str>::from("product-name")]);
    }

    #[test]
    fn rolls_on_the_same_side_of_every_label_give_equal_contexts() {
        let supergraph = supergraph_with_overrides();
        let below = |roll| OverrideContext::resolve(&supergraph, [], roll);
        assert_eq!(below(1.0), below(24.5));
        assert_eq!(below(25.0), below(99.0));
        assert_ne!(below(24.5), below(25.0));
    }

    #[test]
    fn percentage_label_applies_when_the_roll_is_below_it() {
        let supergraph = supergraph_with_overrides();
        let label = 25 * PERCENTAGE_SCALE_FACTOR;
        let planner_context = |roll| OverrideContext::resolve(&supergraph, [], roll).to_planner_context();
        assert!(planner_context(10.0).is_in_range(&label));
        assert!(!planner_context(30.0).is_in_range(&label));
    }
}
