"""Finding the school's pupils' full names in text: folding, the roster index, matching.

`detectors.pupil_name` is the detector; the modules here are its parts, each one concept:
`folding` (text as it is compared), `common_words` (names that are also English words),
`name_table` (the roster's names as bytes the scan workers map and share),
`roster_index` (what the roster and staff directory say), `phrases` (where name
phrases stand in the folded words), `text_matcher` (full names in running text),
`table_matcher` (a forename in one cell and the surname in another), `file_names`
(attachment and folder names, any order and separator), `word_context` (a word-name
that is a place, or follows "that"), `family_first` (surnames written first) and `hits`
(a match and its score).
"""
