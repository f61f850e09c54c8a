# Get-EnvHistory and Restore-Env (conda list --revisions, conda install --revision N) end to end: real packages
# built by the tests in a local channel, real linking; restores from the package cache with the channel gone.
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $script:chan = Join-Path $TestDrive 'channel'
    New-TestPackage -Channel $chan -Name libdemo -Version 1.0 -Files @{ 'lib/libdemo.txt' = "libdemo one`n" } | Out-Null
    New-TestPackage -Channel $chan -Name libdemo -Version 2.0 -Files @{ 'lib/libdemo.txt' = "libdemo two`n" } | Out-Null
    New-TestPackage -Channel $chan -Name app -Version 1.0 -Depends 'libdemo' -Files @{ 'bin/app' = "#!/bin/sh`necho app`n" } | Out-Null
    New-TestPackage -Channel $chan -Name solo -Version 0.1 -Files @{ 'share/solo.txt' = "solo`n" } | Out-Null
    Update-TestChannelIndex $chan | Out-Null

    function Show($items) { $items | ForEach-Object { "$($_.Action) $($_.Name) $($_.Version)" } | Sort-Object }
    function Get-Set([string] $Prefix) { Get-EnvPackage -Prefix $Prefix | ForEach-Object { "$($_.Name)=$($_.Version)" } | Sort-Object }
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'Get-EnvHistory' {
    BeforeAll {
        $script:prefix = Join-Path $TestDrive 'envs/h1'
        New-Env -Prefix $prefix 'libdemo=1.0' -Channel $chan | Out-Null          # rev 0
        Install-EnvPackage -Prefix $prefix solo app -Channel $chan | Out-Null      # rev 1
        Update-EnvPackage -Prefix $prefix libdemo -Channel $chan | Out-Null        # rev 2 (libdemo 1.0 -> 2.0)
        Uninstall-EnvPackage -Prefix $prefix solo | Out-Null                       # rev 3
    }

    It 'returns one EnvTools.EnvironmentRevision per revision with its changes as objects' {
        $revs = Get-EnvHistory -Prefix $prefix
        $revs.Count | Should -Be 4
        $revs[0].PSObject.TypeNames[0] | Should -Be 'EnvTools.EnvironmentRevision'
        $revs.Revision | Should -Be @(0, 1, 2, 3)
        $revs[0].Added.Name | Should -Be @('libdemo')
        $revs[0].Added[0].Version | Should -Be '1.0'
        $revs[0].RequestedSpecs | Should -Be @('libdemo=1.0')
        $revs[0].Command | Should -BeLike 'New-Env *'
        $revs[0].Date | Should -BeOfType ([datetime])
        @($revs[1].Added.Name) | Should -Be @('app', 'solo')
        $revs[2].Upgraded.Name | Should -Be 'libdemo'
        "$($revs[2].Upgraded.OldVersion)->$($revs[2].Upgraded.Version)" | Should -Be '1.0->2.0'
        @($revs[2].Added).Count | Should -Be 0
        $revs[3].Removed.Name | Should -Be 'solo'
        $revs[3].RemovedSpecs | Should -Be @('solo')
        $revs.PackageCount | Should -Be @(1, 3, 3, 2)
    }

    It 'selects revisions, negative ones from the end, and names the range for a missing one' {
        (Get-EnvHistory -Prefix $prefix -Revision -1).Revision | Should -Be 3
        (Get-EnvHistory -Prefix $prefix -Revision 0, 2).Revision | Should -Be @(0, 2)
        Get-EnvHistory -Prefix $prefix -Revision 9 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'RevisionNotFound,EnvTools.Commands.GetEnvHistoryCommand'
        $err[0].Exception.Message | Should -Match 'revisions 0 to 3'
    }

    It 'binds from Get-Env output and prints as a table' {
        (Get-Env -Name * | Where-Object Prefix -eq $prefix | Get-EnvHistory).Count | Should -Be 4
        $text = Get-EnvHistory -Prefix $prefix | Out-String
        $text | Should -Match 'Revision'
        $text | Should -Match 'libdemo 1\.0->2\.0'
    }

    It 'completes -Revision with the environment''s revision numbers, newest first' {
        $line = "Restore-Env -Prefix '$prefix' -Revision "
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('3', '2', '1', '0')
    }

    It 'has no revisions for an environment without a history file' {
        $bare = Join-Path $TestDrive 'envs/bare'
        New-Item -ItemType Directory (Join-Path $bare 'conda-meta') -Force | Out-Null
        Get-EnvHistory -Prefix $bare | Should -BeNullOrEmpty
    }
}

Describe 'Restore-Env' {
    BeforeEach {
        $script:prefix = Join-Path $TestDrive "envs/r-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
        New-Env -Prefix $prefix 'libdemo=1.0' solo -Channel $chan | Out-Null      # rev 0
        Update-EnvPackage -Prefix $prefix libdemo -Channel $chan | Out-Null        # rev 1
        Install-EnvPackage -Prefix $prefix app -Channel $chan | Out-Null           # rev 2
        Uninstall-EnvPackage -Prefix $prefix solo | Out-Null                       # rev 3
    }

    It '-DryRun returns the changes back to a revision and changes nothing' {
        $before = Get-TreeDigest $prefix
        Show (Restore-Env -Prefix $prefix -Revision 0 -DryRun) | Should -Be @('Downgrade libdemo 1.0', 'Install solo 0.1', 'Remove app ')
        Get-TreeDigest $prefix | Should -Be $before
    }

    It 'brings the environment back to a revision from the package cache, with the channel gone, as a new revision' {
        Rename-Item $chan "$chan.gone"
        try {
            Show (Restore-Env -Prefix $prefix -Revision 0 -Channel $chan) | Should -Be @('Downgrade libdemo 1.0', 'Install solo 0.1', 'Remove app ')
        }
        finally { Rename-Item "$chan.gone" $chan }
        Get-Set $prefix | Should -Be @('libdemo=1.0', 'solo=0.1')
        Get-Content (Join-Path $prefix 'lib/libdemo.txt') -Raw | Should -Be "libdemo one`n"
        Test-Path (Join-Path $prefix 'bin/app') | Should -BeFalse
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
        $revs = Get-EnvHistory -Prefix $prefix
        $revs.Count | Should -Be 5
        $revs[4].Command | Should -BeLike 'Restore-Env *-Revision 0*'
        $revs[4].RequestedSpecs | Should -Be @('libdemo=1.0', 'solo')
        $revs[4].RemovedSpecs | Should -Be @('app')
        # the requested specs are those of revision 0 again, so the solver keeps libdemo=1.0 and an export from
        # history lists what revision 0 asked for
        (Export-Env -Prefix $prefix -FromHistory | Out-String) | Should -Match '(?s)libdemo=1\.0.*solo'
        (Export-Env -Prefix $prefix -FromHistory | Out-String) | Should -Not -Match '- app'
        Install-EnvPackage -Prefix $prefix solo -Channel $chan | Should -BeNullOrEmpty
    }

    It 'restores relative to the last revision with a negative number, and nothing to do is no change' {
        Show (Restore-Env -Prefix $prefix -Revision -2) | Should -Be @('Install solo 0.1')
        Get-Set $prefix | Should -Be @('app=1.0', 'libdemo=2.0', 'solo=0.1')
        Restore-Env -Prefix $prefix -Revision -1 | Should -BeNullOrEmpty
        (Get-EnvHistory -Prefix $prefix).Count | Should -Be 5
    }

    It 'fetches from the channel what the cache lacks, and fails with PackagesNotFound when nothing has it' {
        $pkgs = $env:CONDA_PKGS_DIRS
        Get-ChildItem $pkgs -Filter 'solo-0.1-0*' | ForEach-Object {
            # Windows deletes a folder's files lazily, so Remove-Item -Recurse can meet "Directory is not empty" (seen
            # in the Windows lane): try again a few times
            for ($try = 0; $try -lt 10 -and (Test-Path -LiteralPath $_.FullName); $try++) {
                Remove-Item -LiteralPath $_.FullName -Recurse -Force -ErrorAction SilentlyContinue
                if (Test-Path -LiteralPath $_.FullName) { Start-Sleep -Milliseconds 100 }
            }
            Test-Path -LiteralPath $_.FullName | Should -BeFalse
        }
        # a channel that lacks it (conda: PackagesNotFoundError, no solve to fall back on)
        $other = Join-Path $TestDrive 'other-channel'
        New-TestPackage -Channel $other -Name unrelated -Version 1 | Out-Null
        Update-TestChannelIndex $other | Out-Null
        Restore-Env -Prefix $prefix -Revision 0 -Channel $other -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -Be 'PackagesNotFound,EnvTools.Commands.RestoreEnvCommand'
        $err[0].Exception.Message | Should -Match 'solo'
        $err[0].Exception.Message | Should -Not -Match 'libdemo'
        # a channel that cannot be read: the channel's error
        Rename-Item $chan "$chan.gone"
        try {
            Restore-Env -Prefix $prefix -Revision 0 -Channel $chan -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        }
        finally { Rename-Item "$chan.gone" $chan }
        $err[0].FullyQualifiedErrorId | Should -Be 'ChannelUnavailable,EnvTools.Commands.RestoreEnvCommand'
        Get-Set $prefix | Should -Be @('app=1.0', 'libdemo=2.0')

        Show (Restore-Env -Prefix $prefix -Revision 0 -Channel $chan) | Should -Be @('Downgrade libdemo 1.0', 'Install solo 0.1', 'Remove app ')
        Test-Path (Join-Path $pkgs 'solo-0.1-0/info/repodata_record.json') | Should -BeTrue
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
    }

    It 'refuses a revision the history lacks, and -WhatIf changes nothing' {
        Restore-Env -Prefix $prefix -Revision 7 -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -Be 'RevisionNotFound,EnvTools.Commands.RestoreEnvCommand'
        $before = Get-TreeDigest $prefix
        Restore-Env -Prefix $prefix -Revision 0 -WhatIf | Should -BeNullOrEmpty
        Get-TreeDigest $prefix | Should -Be $before
    }
}
