//! `accounts`: users and the organizations they belong to.
//!
//! Owns `User @key(fields: "id")` and `Organization @key(fields: "id")`. `User.username` is `@shareable` because
//! `reviews` provides it too. An organization lists its warehouses as stubs keyed by the nested
//! `id organization { id }` — warehouse ids are only unique within an organization — and `inventory` resolves them.

use async_graphql::{Context, EmptySubscription, ID, Interface, Object, Result, Schema};
use parking_lot::RwLock;

/// The schema type this subgraph serves.
pub(super) type AccountsSchema = Schema<Query, Mutation, EmptySubscription>;

/// A fresh schema over freshly seeded data.
pub(super) fn schema() -> AccountsSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .data(Store::seeded())
        .register_output_type::<Node>()
        .enable_federation()
        .finish()
}

#[derive(Clone)]
struct UserRecord {
    id: ID,
    name: String,
    username: &'static str,
    organization_id: &'static str,
}

#[derive(Clone, Copy)]
struct OrganizationRecord {
    id: &'static str,
    name: &'static str,
    warehouse_ids: &'static [&'static str],
}

const ORGANIZATIONS: [OrganizationRecord; 2] = [
    OrganizationRecord {
        id: "o1",
        name: "Analytical Engines Ltd",
        warehouse_ids: &["w1", "w2"],
    },
    OrganizationRecord {
        id: "o2",
        name: "Compilers Inc",
        warehouse_ids: &["w1"],
    },
];

struct Store {
    users: RwLock<Vec<UserRecord>>,
}

impl Store {
    fn seeded() -> Self {
        let user = |id: &str, name: &str, username, organization_id| UserRecord {
            id: ID::from(id),
            name: name.to_owned(),
            username,
            organization_id,
        };
        Self {
            users: RwLock::new(vec![
                user("u1", "Ada Lovelace", "ada", "o1"),
                user("u2", "Alan Turing", "alan", "o1"),
                user("u3", "Grace Hopper", "grace", "o2"),
            ]),
        }
    }

    fn user(&self, id: &str) -> Option<User> {
        self.users
            .read()
            .iter()
            .find(|u| u.id.as_str() == id)
            .cloned()
            .map(User)
    }
}

fn organization(id: &str) -> Option<Organization> {
    ORGANIZATIONS.iter().find(|o| o.id == id).copied().map(Organization)
}

/// Anything with a global id.
// `search` resolves `Node`s; here `User` is the only one.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "&ID"))]
pub(super) enum Node {
    User(User),
}

/// A person with an account.
pub(super) struct User(UserRecord);

#[Object]
impl User {
    async fn id(&self) -> &ID {
        &self.0.id
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    #[graphql(shareable)]
    async fn username(&self) -> &str {
        self.0.username
    }

    async fn organization(&self) -> Option<Organization> {
        organization(self.0.organization_id)
    }
}

/// A customer organization; `User.organization` points here.
pub(super) struct Organization(OrganizationRecord);

#[Object]
impl Organization {
    async fn id(&self) -> ID {
        ID::from(self.0.id)
    }

    async fn name(&self) -> &str {
        self.0.name
    }

    async fn warehouses(&self) -> Vec<Warehouse> {
        self.0
            .warehouse_ids
            .iter()
            .map(|id| Warehouse {
                id,
                organization: self.0,
            })
            .collect()
    }
}

/// A warehouse as `accounts` knows it: only its key, which `inventory` resolves into the rest.
pub(super) struct Warehouse {
    id: &'static str,
    organization: OrganizationRecord,
}

#[Object(unresolvable = "id organization { id }")]
impl Warehouse {
    async fn id(&self) -> ID {
        ID::from(self.id)
    }

    async fn organization(&self) -> Organization {
        Organization(self.organization)
    }
}

/// Root query fields, plus the entity resolvers behind `_entities`.
pub(super) struct Query;

#[Object]
impl Query {
    /// The signed-in user of the fixture data (always `u1`).
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(ctx.data::<Store>()?.user("u1"))
    }

    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        Ok(ctx.data::<Store>()?.user(&id))
    }

    async fn users(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        Ok(ctx.data::<Store>()?.users.read().iter().cloned().map(User).collect())
    }

    async fn organization(&self, id: ID) -> Option<Organization> {
        organization(&id)
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        Ok(ctx.data::<Store>()?.user(&id))
    }

    #[graphql(entity)]
    async fn find_organization_by_id(&self, id: ID) -> Option<Organization> {
        organization(&id)
    }
}

/// Root mutation fields.
pub(super) struct Mutation;

#[Object]
impl Mutation {
    /// Changes a user's display name and returns the user as it is afterwards.
    async fn rename_user(&self, ctx: &Context<'_>, id: ID, name: String) -> Result<Option<User>> {
        let store = ctx.data::<Store>()?;
        if let Some(user) = store.users.write().iter_mut().find(|u| u.id == id) {
            user.name = name;
        }
        Ok(store.user(&id))
    }
}
