//! Diagrams: DOT built with graphviz-rust for the hierarchy, partnerships and gaps views, rendered by Graphviz dot.
