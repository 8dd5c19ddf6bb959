//! Rendered text → ordered resources, and Helm's output stream.
