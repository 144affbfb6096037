//! The library behind `migrate`: finds a Next.js project's routes in both routers, models them
//! the way Next.js orders and matches them, and analyses each `pages/api` handler to say what a
//! move to an App Router route handler takes.
//!
//! Read top-down: [`project`] discovers a project, [`route`] turns files into routes and finds
//! collisions, [`analysis`] reads one handler, [`check`] ties them together for `migrate check`.

pub mod analysis;
pub mod apply;
pub mod check;
pub mod diagnostic;
pub mod diagnostic_codes;
pub mod docs;
pub mod helper_modules;
pub mod lexical_path;
pub mod next_config;
pub mod parse;
pub mod project;
pub mod route;
pub mod route_modules;
pub mod source;
pub mod tsconfig;
