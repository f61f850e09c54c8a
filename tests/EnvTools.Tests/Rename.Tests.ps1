# Rename-Env (conda rename) end to end: a real environment with a prefix-rewritten file, an unowned file, variables,
# pins and a history, renamed by name and by path; refusals checked before -WhatIf/-Confirm.
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $script:placeholder = Get-TestPlaceholder
    $script:chan = Join-Path $TestDrive 'channel'
    New-TestPackage -Channel $chan -Name libdemo -Version 1.0 -Files @{ 'share/libdemo/config.txt' = "prefix=$placeholder`n" } | Out-Null
    New-TestPackage -Channel $chan -Name app -Version 1.0 -Depends 'libdemo' -Files @{ 'bin/app' = "#!/bin/sh`necho app in $placeholder`n" } | Out-Null
    Update-TestChannelIndex $chan | Out-Null
    $script:envsTxt = Join-Path $env:HOME '.conda/environments.txt'
    # a text placeholder becomes the prefix with forward slashes on Windows (as conda writes it)
    function TextPrefix([string] $Prefix) { if ($IsWindows) { $Prefix.Replace('\', '/') } else { $Prefix } }
    function New-Source([string] $Name) {
        $p = Join-Path $env:CONDA_ENVS_DIRS $Name
        New-Env -Prefix $p app -Channel $chan | Out-Null
        $p
    }
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'Rename-Env' {
    It 'moves an environment to a new name: files rewritten for the new prefix, unowned files, variables, pins and history kept, environments.txt updated' {
        $old = New-Source 'ren-a'
        Set-Content (Join-Path $old 'notes.txt') "made in $old"
        Set-EnvVariable @{ RENAME_TEST = 'kept' } -Prefix $old
        Set-Content (Join-Path $old 'conda-meta/pinned') 'libdemo 1.0.*'
        Install-EnvPackage -Prefix $old libdemo -Channel $chan | Out-Null   # nothing to do, no revision
        $revisions = (Get-EnvHistory -Prefix $old).Count

        $info = Rename-Env ren-a ren-b -PassThru
        $new = Join-Path $env:CONDA_ENVS_DIRS 'ren-b'
        $info.PSObject.TypeNames[0] | Should -Be 'EnvTools.EnvironmentInfo'
        $info.Prefix | Should -Be $new
        $info.Name | Should -Be 'ren-b'
        Test-Path $old | Should -BeFalse
        Get-Content (Join-Path $new 'bin/app') -Raw | Should -Be "#!/bin/sh`necho app in $(TextPrefix $new)`n"
        Get-Content (Join-Path $new 'share/libdemo/config.txt') -Raw | Should -Be "prefix=$(TextPrefix $new)`n"
        Get-Content (Join-Path $new 'notes.txt') -Raw | Should -Be "made in $new$([Environment]::NewLine)"   # Set-Content ends the line as the OS does
        Test-Env -Prefix $new | Should -BeNullOrEmpty
        (Get-EnvVariable -Prefix $new | Where-Object Name -eq RENAME_TEST).Value | Should -Be 'kept'
        Get-Content (Join-Path $new 'conda-meta/pinned') | Should -Be 'libdemo 1.0.*'
        $history = Get-EnvHistory -Prefix $new
        $history.Count | Should -Be ($revisions + 1)
        $history[-1].Command | Should -BeLike 'Rename-Env *'
        (Get-EnvPackage -Prefix $new -Package app).RequestedSpec | Should -Be 'app'
        Get-Content $envsTxt | Should -Contain $new
        Get-Content $envsTxt | Should -Not -Contain $old
        (Get-Env).Name | Should -Contain 'ren-b'
        (Get-Env).Name | Should -Not -Contain 'ren-a'
    }

    It 'moves an environment to a path, binding the source from Get-Env' {
        $old = New-Source 'ren-c'
        $dest = Join-Path $TestDrive 'elsewhere/ren-c2'
        Get-Env -Name ren-c | Rename-Env -NewName $dest | Should -BeNullOrEmpty
        Test-Path $old | Should -BeFalse
        Get-Content (Join-Path $dest 'bin/app') -Raw | Should -Be "#!/bin/sh`necho app in $(TextPrefix $dest)`n"
        Get-Content $envsTxt | Should -Contain $dest
    }

    It '-WhatIf changes nothing' {
        $old = New-Source 'ren-d'
        $before = Get-TreeDigest $old
        Rename-Env ren-d ren-e -WhatIf
        Get-TreeDigest $old | Should -Be $before
        Test-Path (Join-Path $env:CONDA_ENVS_DIRS 'ren-e') | Should -BeFalse
    }

    It 'refuses <Case> before asking, also under -WhatIf' -ForEach @(
        @{ Case = 'the active environment'; Id = 'EnvironmentActive' }
        @{ Case = 'base as the environment'; Id = 'ReservedEnvironmentName' }
        @{ Case = 'base as the new name'; Id = 'ReservedEnvironmentName' }
        @{ Case = 'an existing destination'; Id = 'EnvironmentExists' }
        @{ Case = 'an invalid new name'; Id = 'InvalidEnvironmentName' }
    ) {
        $old = New-Source "ren-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
        $from = $old; $to = 'ren-target'
        switch ($Case) {
            'the active environment' { $env:CONDA_PREFIX = $old }
            'base as the environment' {
                $from = Join-Path $TestDrive 'inst/base'
                New-Item -ItemType Directory (Join-Path $from 'conda-meta') -Force | Out-Null
            }
            'base as the new name' { $to = 'base' }
            'an existing destination' { $to = Split-Path -Leaf (New-Source "ren-exists-$([guid]::NewGuid().ToString('N').Substring(0, 6))") }
            'an invalid new name' { $to = 'has space' }
        }
        try {
            Rename-Env -Prefix $from -NewName $to -WhatIf -ErrorVariable err1 -ErrorAction SilentlyContinue
            Rename-Env -Prefix $from -NewName $to -Confirm:$true -ErrorVariable err2 -ErrorAction SilentlyContinue  # fails before it would prompt
        }
        finally { Remove-Item env:CONDA_PREFIX -ErrorAction SilentlyContinue }
        $err1[0].FullyQualifiedErrorId | Should -Be "$Id,EnvTools.Commands.RenameEnvCommand"
        $err2[0].FullyQualifiedErrorId | Should -Be "$Id,EnvTools.Commands.RenameEnvCommand"
        Test-Path (Join-Path $from 'conda-meta') | Should -BeTrue
    }

    It '-Force replaces an environment at the destination (conda rename --yes); a folder that is no environment is still refused' {
        $old = New-Source 'ren-f'
        $target = New-Source 'ren-f-target'
        Set-Content (Join-Path $target 'stale.txt') 'from the replaced environment'
        Set-Content (Join-Path $old 'mine.txt') 'from the renamed environment'
        Rename-Env ren-f ren-f-target -Force -Confirm:$false
        Test-Path $old | Should -BeFalse
        Test-Path (Join-Path $target 'stale.txt') | Should -BeFalse
        Get-Content (Join-Path $target 'mine.txt') | Should -Be 'from the renamed environment'
        Get-Content (Join-Path $target 'bin/app') -Raw | Should -Be "#!/bin/sh`necho app in $(TextPrefix $target)`n"
        Get-ChildItem -Force $env:CONDA_ENVS_DIRS -Filter '.*envtools-trash-*' | Should -BeNullOrEmpty
        @(Get-Content $envsTxt | Where-Object { $_ -eq $target }).Count | Should -Be 1

        $plain = New-Item -ItemType Directory (Join-Path $env:CONDA_ENVS_DIRS 'ren-f-plain') -Force
        Rename-Env ren-f-target ren-f-plain -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'EnvironmentExists,EnvTools.Commands.RenameEnvCommand'
        Test-Path (Join-Path $target 'conda-meta') | Should -BeTrue
    }

    It '-Force puts the replaced environment back when the rename fails' {
        $old = New-Source 'ren-g'
        $target = New-Source 'ren-g-target'
        $before = Get-TreeDigest $target
        # the clone needs the packages: with neither the package cache nor the channel the rename fails mid-way
        $savedPkgs = $env:CONDA_PKGS_DIRS
        $env:CONDA_PKGS_DIRS = Join-Path $TestDrive 'pkgs-empty'
        Move-Item $chan "$chan-away"
        try { Rename-Env ren-g ren-g-target -Force -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue }
        finally { $env:CONDA_PKGS_DIRS = $savedPkgs; Move-Item "$chan-away" $chan }
        $err | Should -Not -BeNullOrEmpty
        Get-TreeDigest $target | Should -Be $before
        Test-Path (Join-Path $old 'conda-meta') | Should -BeTrue
    }

    It 'completes environment names for -Name' {
        New-Source 'ren-complete' | Out-Null
        $line = 'Rename-Env ren-comp'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('ren-complete')
    }
}
