from haikei.cli import main

raise SystemExit(main())
