//! numpy's `_formatArray`: nests the element texts in brackets, wraps rows at the line width with a
//! hanging indent, inserts the `...` of summarised axes and blank lines between blocks.

/// The already formatted kept elements with the geometry needed to lay them out.
pub(super) struct Layout<'a> {
    /// The full array's shape.
    pub(super) shape: &'a [usize],
    /// The kept array's shape (per axis, how many indices `kept_ranges` keeps).
    pub(super) kept_shape: &'a [usize],
    /// Kept element texts in C order.
    pub(super) words: &'a [String],
    pub(super) separator: &'a str,
    pub(super) edge_items: usize,
    pub(super) summarise: bool,
}

fn width(s: &str) -> i64 {
    i64::try_from(s.chars().count()).expect("line lengths fit i64")
}

/// `_extendLine` (numpy > 1.13): wrap before `word` when the line would overflow, unless the line
/// holds nothing but the indent (wrapping would not help).
fn extend_line(s: &mut String, line: &mut String, word: &str, line_width: i64, next_line_prefix: &str) {
    let needs_wrap = width(line) + width(word) > line_width && width(line) > width(next_line_prefix);
    if needs_wrap {
        s.push_str(line.trim_end());
        s.push('\n');
        line.clear();
        line.push_str(next_line_prefix);
    }
    line.push_str(word);
}

impl Layout<'_> {
    /// `_formatArray(a, format_function, line_width, next_line_prefix, separator, edge_items, summary_insert)`.
    pub(super) fn format(&self, line_width: i64, next_line_prefix: &str) -> String {
        self.recurse(0, 0, next_line_prefix, line_width)
    }

    /// `recurser(index, hanging_indent, curr_width)`; `axis` is `len(index)` and `offset` the flat
    /// kept position of `index` (its elements are `offset * kept_shape[axis] + i`).
    fn recurse(&self, axis: usize, offset: usize, hanging_indent: &str, curr_width: i64) -> String {
        let ndim = self.shape.len();
        if axis == ndim {
            return self.words[offset].clone();
        }
        let axes_left = ndim - axis;
        let next_hanging_indent = format!("{hanging_indent} ");
        let next_width = curr_width - 1;
        let a_len = self.shape[axis];
        let k_len = self.kept_shape[axis];
        let show_summary = self.summarise && self.edge_items.saturating_mul(2) < a_len;
        let (leading, trailing) = if show_summary { (self.edge_items, self.edge_items) } else { (0, a_len) };
        // numpy indexes trailing items from the end (`index + (-i,)`), which in the kept array is
        // `k_len - i`
        let child = |i: usize| self.recurse(axis + 1, offset * k_len + i, &next_hanging_indent, next_width);
        let mut s = String::new();
        if axes_left == 1 {
            let elem_width = curr_width - width(self.separator.trim_end()).max(1);
            let mut line = hanging_indent.to_string();
            for i in 0..leading {
                extend_line(&mut s, &mut line, &child(i), elem_width, hanging_indent);
                line.push_str(self.separator);
            }
            if show_summary {
                extend_line(&mut s, &mut line, "...", elem_width, hanging_indent);
                line.push_str(self.separator);
            }
            for i in (2..=trailing).rev() {
                extend_line(&mut s, &mut line, &child(k_len - i), elem_width, hanging_indent);
                line.push_str(self.separator);
            }
            extend_line(&mut s, &mut line, &child(k_len - 1), elem_width, hanging_indent);
            s.push_str(&line);
        } else {
            let line_sep = format!("{}{}", self.separator.trim_end(), "\n".repeat(axes_left - 1));
            for i in 0..leading {
                s += &format!("{hanging_indent}{}{line_sep}", child(i));
            }
            if show_summary {
                s += &format!("{hanging_indent}...{line_sep}");
            }
            for i in (2..=trailing).rev() {
                s += &format!("{hanging_indent}{}{line_sep}", child(k_len - i));
            }
            s += &format!("{hanging_indent}{}", child(k_len - 1));
        }
        format!("[{}]", &s[hanging_indent.len()..])
    }
}
