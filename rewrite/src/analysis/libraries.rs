//! Libraries whose handlers are entry points rather than code to rewrite: each has its own App
//! Router integration, named in the help line.

/// A known library and how it is mounted in a route handler instead.
pub struct Library {
    pub name: &'static str,
    pub help: &'static str,
}

const LIBRARIES: &[(&str, Library)] = &[
    ("next-auth", Library {
        name: "NextAuth.js",
        help: "in app/api/auth/[...nextauth]/route.ts: `const handler = NextAuth(authOptions); export { handler as GET, handler as POST }`",
    }),
    ("@trpc/server/adapters/next", Library {
        name: "tRPC",
        help: "use `fetchRequestHandler` from `@trpc/server/adapters/fetch` and export it as GET and POST",
    }),
    ("@as-integrations/next", Library {
        name: "Apollo Server",
        help: "`startServerAndCreateNextHandler` also returns a route handler: export it as GET and POST",
    }),
    ("apollo-server-micro", Library {
        name: "Apollo Server (micro)",
        help: "move to `@apollo/server` with `@as-integrations/next`, which supports route handlers",
    }),
    ("graphql-yoga", Library {
        name: "GraphQL Yoga",
        help: "`const { handleRequest } = createYoga({ graphqlEndpoint, fetchAPI: { Response } }); export { handleRequest as GET, handleRequest as POST, handleRequest as OPTIONS }`",
    }),
    ("@graphql-yoga/node", Library { name: "GraphQL Yoga", help: "move to `graphql-yoga` v3+, whose `handleRequest` is a route handler" }),
    ("inngest/next", Library { name: "Inngest", help: "`export const { GET, POST, PUT } = serve({ client, functions })`" }),
    ("uploadthing/next-legacy", Library {
        name: "UploadThing",
        help: "use `createRouteHandler` from `uploadthing/next` and export its GET and POST",
    }),
    ("@sentry/nextjs", Library { name: "Sentry", help: "route handlers are instrumented automatically; drop the wrapper" }),
    ("swagger-ui-react", Library { name: "Swagger UI", help: "serve the spec from a route handler" }),
];

/// The library a module source belongs to, if it is a known one.
pub fn known(source: &str) -> Option<&'static Library> {
    LIBRARIES
        .iter()
        .find(|(prefix, _)| {
            source
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .map(|(_, l)| l)
}

/// True for a library whose export wraps a handler rather than being one (`withSentry(h)`):
/// what it wraps is the entry point.
pub fn is_wrapper(source: &str) -> bool {
    source == "@sentry/nextjs" || source.starts_with("@sentry/nextjs/")
}

/// True for `next-connect` (any version).
pub fn is_next_connect(source: &str) -> bool {
    source == "next-connect"
}

/// True when a module source names an npm package rather than a file of the project
/// (`./x`, `../x`, and the common `@/` and `~/` aliases).
pub fn is_package(source: &str) -> bool {
    !(source.starts_with('.')
        || source.starts_with('/')
        || source.starts_with("@/")
        || source.starts_with("~/")
        || source.starts_with('#'))
}

/// The package name of a module source (`@scope/pkg/sub` → `@scope/pkg`).
pub fn package_name(source: &str) -> &str {
    let mut parts = source.splitn(3, '/');
    let first = parts.next().unwrap_or(source);
    if first.starts_with('@') {
        match parts.next() {
            Some(second) => &source[..first.len() + 1 + second.len()],
            None => source,
        }
    } else {
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        assert_eq!(package_name("@trpc/server/adapters/next"), "@trpc/server");
        assert_eq!(package_name("next-auth/next"), "next-auth");
        assert!(!is_package("@/lib/auth"));
        assert!(is_package("@scope/x"));
        assert!(known("next-auth/next").is_some());
        assert!(known("next-authx").is_none());
    }
}
