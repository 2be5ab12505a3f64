"""Read: the lesson's readings, one section at a time, each followed by misconception checks."""

import streamlit as st

from dropout_lab.ui import read, state

st.title(read.TEXT["title"], anchor=False)
book = read.book()
read.intro(book)
read.init_from_link(book)
read.update_score(book)
nav_col, text_col = st.columns([1, 3], gap="large")
with nav_col:
    current = read.navigator(book)
with text_col:
    read.reading_section(book, current)
    read.checks(book, current)
    st.divider()
    read.pager(book, current)
state.next_step("read")
read.keep_link(current)
