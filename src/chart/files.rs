//! `.Files`: the non-template files of a chart.
