/** The project's version (the root package.json's), printed by every program's `--version`. */
export declare const VERSION: string;
