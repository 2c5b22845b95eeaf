@echo off
rem Weekly sweep of short VBC call recordings with Windows Task Scheduler.
rem
rem 1. Put the credentials in C:\vbc-sweep\vbc.env (VBC_USERNAME=..., one per line) and let only
rem    the account that runs the task read it:
rem        icacls C:\vbc-sweep\vbc.env /inheritance:r /grant:r "%USERNAME%:R"
rem 2. Create the task (Mondays at 03:17, whether or not the user is logged on; it asks for
rem    the account's Windows password once). Task Scheduler never starts a second copy while
rem    one is running (the default "Do not start a new instance").
rem
rem    schtasks /Create /TN "VBC recording sweep" /SC WEEKLY /D MON /ST 03:17 /RU "%USERDOMAIN%\%USERNAME%" /RP * /TR "C:\vbc-sweep\.venv\Scripts\python.exe C:\vbc-sweep\delete_vbc_recordings_by_duration.py --yes --env-file C:\vbc-sweep\vbc.env --report C:\vbc-sweep\report.csv --log-file C:\vbc-sweep\sweep.log --max-delete 5000 -q"
rem
rem 3. Try it once by hand:  schtasks /Run /TN "VBC recording sweep"
rem    and read "Last Run Result" (the exit code: 0 done, 1 some failed, 3 login or listing
rem    failed, 4 more than --max-delete) with:  schtasks /Query /TN "VBC recording sweep" /V /FO LIST

schtasks /Create /TN "VBC recording sweep" /SC WEEKLY /D MON /ST 03:17 /RU "%USERDOMAIN%\%USERNAME%" /RP * /TR "C:\vbc-sweep\.venv\Scripts\python.exe C:\vbc-sweep\delete_vbc_recordings_by_duration.py --yes --env-file C:\vbc-sweep\vbc.env --report C:\vbc-sweep\report.csv --log-file C:\vbc-sweep\sweep.log --max-delete 5000 -q"
