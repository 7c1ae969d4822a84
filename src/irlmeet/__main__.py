from irlmeet.cli import main

raise SystemExit(main())
