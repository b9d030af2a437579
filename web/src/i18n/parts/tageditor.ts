/** Messages of one console area, kept apart so areas can grow without touching each other's lines. */
export const zhTagEditor = {
} as const;

export const enTagEditor: Record<keyof typeof zhTagEditor, string> = {
};
