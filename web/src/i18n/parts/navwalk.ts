/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhNavWalk = {
};

export const enNavWalk: Record<keyof typeof zhNavWalk, string> = {
};
