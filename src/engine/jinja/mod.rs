//! Native templates: minijinja for `*.j2` files.
