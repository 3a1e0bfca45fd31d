#!/usr/bin/env node
import { main } from '../dist/compiler/cli.js';

process.exitCode = await main(process.argv);
