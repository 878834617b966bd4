"""tpmprep web application: settings, data, content catalog, pages, API and CLI."""
