from citycat.cli.main import main

main()
