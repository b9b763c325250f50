from takeaways.cli import main

raise SystemExit(main())
