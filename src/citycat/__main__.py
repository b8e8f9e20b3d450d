from citycat.cli import main

main()
