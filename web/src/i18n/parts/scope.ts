/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhScope = {
};

export const enScope: Record<keyof typeof zhScope, string> = {
};
