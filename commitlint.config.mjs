export default {
  extends: ["@commitlint/config-conventional"],
  prompt: { useEmoji: false, allowEmptyIssuePrefixs: true, allowCustomIssuePrefixs: false },
};
