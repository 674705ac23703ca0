//! Every rule of docs/CONSENT-RULES.md names the tests that check it (the
//! last column of each table), and each named test exists. A rule without
//! a test, or naming one that was renamed or removed, fails here.

use onsplan_tests::repo_root;

#[test]
fn every_rule_names_a_test_that_exists() {
    let rules = std::fs::read_to_string(repo_root().join("docs/CONSENT-RULES.md")).unwrap();
    let mut rows = 0;
    let mut in_table_header = false;
    for line in rules.lines() {
        let line = line.trim();
        if !line.starts_with('|') {
            in_table_header = false;
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let last = cells.last().copied().unwrap_or("");
        if last == "checked by" {
            in_table_header = true;
            continue;
        }
        if last.chars().all(|c| c == '-' || c == ' ') {
            assert!(in_table_header, "a table without a 'checked by' column");
            continue;
        }
        let named: Vec<&str> = last
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|s| s.contains("::"))
            .collect();
        assert!(!named.is_empty(), "rule without a test: {line}");
        for test in named {
            let (file, name) = test.split_once("::").unwrap();
            let source = std::fs::read_to_string(repo_root().join(format!("tests/{file}.rs")))
                .unwrap_or_else(|_| panic!("no tests/{file}.rs, named by: {line}"));
            assert!(
                source.contains(&format!("fn {name}(")),
                "tests/{file}.rs has no test {name}, named by: {line}"
            );
        }
        rows += 1;
    }
    assert!(rows >= 40, "only {rows} rules found");
}
