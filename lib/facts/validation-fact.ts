/** One validation decorator on a property, as class-validator recorded it. */
export interface ValidationFact {
  /**
   * The rule's name: class-validator's (`isString`, `min`, `isEnum`, …), a custom constraint's registered
   * name (`@ValidatorConstraint({ name })`), or the system type (`nestedValidation`) for the rest.
   */
  readonly name: string;
  readonly constraints: readonly unknown[];
  /** `each: true`: the rule applies to every item of an array, not to the array. */
  readonly each: boolean;
}
