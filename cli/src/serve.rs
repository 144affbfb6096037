//! `migrate serve`: the compat server on a tokio runtime.

use std::time::Duration;

use crate::args::ServeArgs;
use crate::exit::ExitStatus;

pub fn run(args: &ServeArgs) -> anyhow::Result<ExitStatus> {
    let workers = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));
    let options = migrate_compat_server::Options {
        dir: args.dir.clone(),
        host: args.hostname.clone(),
        port: args.port,
        workers,
        timeout: Duration::from_secs(args.timeout),
        max_body: args.max_body,
        shadow: args.shadow,
        shadow_unsafe_methods: args.shadow_unsafe_methods,
        upstream: args.upstream.clone(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(migrate_compat_server::serve(options))?;
    Ok(ExitStatus::Success)
}
